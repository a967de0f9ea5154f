"""From a mailbox to stored articles: sources, MIME parsing, extractors, the pipeline."""
