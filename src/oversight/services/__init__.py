"""Use cases: load, check with domain/, change, audit, flush. Never commit."""
