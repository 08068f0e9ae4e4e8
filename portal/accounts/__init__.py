"""Accounts: sign-up, sign-in, email verification, password reset and sessions."""
