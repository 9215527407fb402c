"""Entry point for gunicorn and `flask --app wsgi`."""

from divert import create_app

app = create_app()
