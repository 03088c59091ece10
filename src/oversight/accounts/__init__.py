"""Accounts: users and their roles, sign-in and sessions, departments and categories."""
