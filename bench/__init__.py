"""`legalqa bench`: ingestion, query, scale and start-up speed, measured against the naive
pipeline and the embedding model's own throughput in the same run."""
