"""The application under test as benchmarks/pages.py serves it: `wsgi.py`'s app with the rate
limiter off (the benchmark sends thousands of requests from one address). gunicorn imports it with
the application root first on its Python path, so it serves that root's `portal`."""

from portal import create_app, freeze_startup_objects

app = create_app(overrides={"RATELIMIT_ENABLED": False})
freeze_startup_objects()  # as wsgi.py
