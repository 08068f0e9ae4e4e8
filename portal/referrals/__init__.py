"""Referrals: professionals refer citizens with consent; citizens ask to be contacted."""
