"""What intake consumes: ministry filings, finalists and results (for applicants' timelines)."""
