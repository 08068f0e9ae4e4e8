"""WSGI entry point for gunicorn: ``gunicorn portal.wsgi:app``.

A configuration error stops start-up with one line naming the variable.
"""

from portal.cli import create_app_or_exit

app = create_app_or_exit()
