"""Files to index: loading, metadata, chunking, embedding and the store."""
