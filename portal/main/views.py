"""Home page views."""
