# Read by the `flask` command only (never by gunicorn): local development defaults.
FLASK_APP=wsgi
LIAISON_ENV=development
