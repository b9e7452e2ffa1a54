"""Django settings for the peer: a plain project hosting django-helpdesk 2.6.1, set up as its install docs say.

Used only by bench/peer_helpdesk.py. The SQLite file lives in instance/peer/ (PEER_DATABASE overrides it).
"""
import os
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent

# A fresh key per run: bench/peer_helpdesk.py hands one to both gunicorn workers, so their sessions agree.
SECRET_KEY = os.environ.get("PEER_SECRET_KEY") or secrets.token_hex(32)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",  # required by helpdesk (domain for e-mail links)
    "django.contrib.humanize",  # required by helpdesk (elapsed time formatting)
    "rest_framework",  # required by helpdesk (datatables view and API)
    "helpdesk",
]
SITE_ID = 1

# Teams mode needs the optional pinax-teams extra; the plain `pip install django-helpdesk` runs without it.
HELPDESK_TEAMS_MODE_ENABLED = False

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "urls"
WSGI_APPLICATION = "wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("PEER_DATABASE", str(ROOT / "instance" / "peer" / "helpdesk.sqlite3")),
    }
}

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = ROOT / "instance" / "peer" / "static"
MEDIA_ROOT = ROOT / "instance" / "peer" / "media"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

LOGIN_URL = "helpdesk:login"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
