"""Transparency reports: SQL aggregates over the record, privacy-safe. No FastAPI here."""
