"""Production settings: everything in settings.py, served over HTTPS only.

Use with DJANGO_SETTINGS_MODULE=attunement.config.production and set SECRET_KEY, ALLOWED_HOSTS and
DATABASE_URL in the environment. `manage.py check --deploy` is clean with these settings.
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .settings import *  # noqa: F403

DEBUG = False
if not os.environ.get("SECRET_KEY"):
    raise ImproperlyConfigured("Set SECRET_KEY in the environment: a long random string kept secret.")
# The key signs sessions and password-reset links: a short or repetitive one can be guessed.
if len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure-"):  # noqa: F405
    raise ImproperlyConfigured(
        "SECRET_KEY is too short or too simple. Use at least 50 random characters, for example the output of: "
        "python -c 'import secrets; print(secrets.token_urlsafe(50))'"
    )
if not os.environ.get("DATABASE_URL"):
    raise ImproperlyConfigured("Set DATABASE_URL in the environment, for example postgres://user@host/attunement.")
if not os.environ.get("ALLOWED_HOSTS"):
    raise ImproperlyConfigured("Set ALLOWED_HOSTS in the environment: the host names people use, comma-separated.")

SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "true").lower() in {"1", "true", "yes"}
# Behind a reverse proxy that ends HTTPS and sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
TRUST_X_FORWARDED_FOR = os.environ.get("TRUST_X_FORWARDED_FOR", "true").lower() in {"1", "true", "yes"}
# The login libraries count attempts per client address: behind one proxy, that is the last forwarded one.
ALLAUTH_TRUSTED_PROXY_COUNT = 1 if TRUST_X_FORWARDED_FOR else 0
AXES_IPWARE_PROXY_COUNT = 1 if TRUST_X_FORWARDED_FOR else None
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = os.environ.get("SECURE_HSTS_PRELOAD", "true").lower() in {"1", "true", "yes"}
SESSION_COOKIE_NAME = "__Host-attunement-session"
CSRF_COOKIE_NAME = "__Host-attunement-csrf"
