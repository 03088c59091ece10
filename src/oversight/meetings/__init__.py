"""Meetings: scheduling, agendas, attendance, minutes, and the public calendar."""
