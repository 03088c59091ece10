"""The roster of sworn officers: who they are, where they serve, what the record says."""
