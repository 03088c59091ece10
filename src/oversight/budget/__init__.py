"""The police budget and operational figures: imports, the public view."""
