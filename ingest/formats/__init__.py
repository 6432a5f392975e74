"""One module per file format, each with a Loader (see base.py); ingest/loaders.py registers them by suffix."""
