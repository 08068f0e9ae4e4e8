"""Two-factor sign-in (TOTP with recovery codes) for everyone who can see personal data."""
