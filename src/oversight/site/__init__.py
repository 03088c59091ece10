"""The public site: server-rendered pages residents use at ``/``, in English and Spanish, over
the same services as the API (no SQL of its own)."""
