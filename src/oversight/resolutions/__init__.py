"""Resolutions and their recommendations: drafting, votes, the decision, the department's
answers."""
