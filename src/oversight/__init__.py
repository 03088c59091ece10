"""Oversight: case management for civilian police-oversight commissions."""

__version__ = "0.1.0"
