"""WSGI entry point (granian or gunicorn in production)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "openrecovery.settings.production")
application = get_wsgi_application()
