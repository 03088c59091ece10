"""Open311 GeoReport v2: an adapter over the concerns area, and its API keys."""
