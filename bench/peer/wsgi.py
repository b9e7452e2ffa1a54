"""WSGI entry point for gunicorn (run with bench/peer/ as the working directory)."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "settings")
application = get_wsgi_application()
