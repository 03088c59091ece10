"""Concerns: intake, triage, referral, the department's response, allegations and findings,
notes and the timeline."""
