"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from portal import create_app, freeze_startup_objects

app = create_app()
freeze_startup_objects()
