"""Community voice: comments, the speakers' list, and residents' proposals."""
