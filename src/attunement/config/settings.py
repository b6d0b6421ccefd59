"""Settings for Attunement.

Defaults run on the embedded SQLite database with no other services. Everything that differs in
production comes from the environment: DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS, DEBUG.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("ATTUNEMENT_VAR_DIR", PROJECT_DIR / "var"))

DEBUG = os.environ.get("DEBUG", "false").lower() in {"1", "true", "yes"}


def _local_secret_key() -> str:
    """A random key made once per installation and kept in var/, for when SECRET_KEY is not given."""
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = os.environ.get("SECRET_KEY") or _local_secret_key()
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "attunement.accounts",
    "attunement.organisations",
    "attunement.learners",
    "attunement.members",
    "attunement.practice",
    "attunement.privacy",
    "attunement.records",
    "attunement.setup",
    "attunement.outcomes",
    "attunement.means",
    "attunement.reflection",
    "attunement.codings",
    "attunement.interaction",
    "attunement.notifications",
    "attunement.api",
    "ninja",  # its own copy of the API documentation page's scripts, served from here (never a CDN)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "attunement.organisations.caching.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "attunement.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "attunement.organisations.middleware.ActiveOrganisationMiddleware",
    "attunement.accounts.middleware.RequireTwoFactorMiddleware",
    "attunement.organisations.audit.RequestAddressMiddleware",
    "axes.middleware.AxesMiddleware",
    "attunement.accounts.middleware.RefusedAccessMiddleware",
    "attunement.practice.offline.OfflineCopyMiddleware",  # a copy kept on the tablet for use with no connection
]

ROOT_URLCONF = "attunement.config.urls"
WSGI_APPLICATION = "attunement.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "attunement.organisations.context_processors.organisation",
            ],
        },
    },
]

FORM_RENDERER = "attunement.forms.FormRenderer"

SQLITE_PATH = VAR_DIR / "attunement.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{SQLITE_PATH}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Made here, readable by the service only, whatever the umask: SQLite gives its -wal and -shm files the
    # same permissions as the database file.
    if DATABASES["default"]["NAME"] != ":memory:":
        os.close(os.open(DATABASES["default"]["NAME"], os.O_CREAT | os.O_WRONLY, 0o600))
    # WAL lets readers go on while one writer writes; synchronous=NORMAL is safe with WAL (a power cut can
    # lose the last moment's commits, never corrupt the file). IMMEDIATE takes the write lock when a
    # transaction begins, so a writer that must wait waits there, where the busy timeout applies, instead
    # of failing half-way. The timeout is long because every write here is short: a writer waits its turn.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": float(os.environ.get("SQLITE_BUSY_TIMEOUT_SECONDS", "30")),
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Tests use a file too, not memory: the browser tests' server answers requests on several threads at once
    # (a video is fetched in parallel ranges), and threads cannot safely share one in-memory connection.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-attunement.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# --- Logging in: email and password, two-factor codes, lockout -----------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first, so a locked-out account is refused before anything else
    "allauth.account.auth_backends.AuthenticationBackend",
    "django.contrib.auth.backends.ModelBackend",  # Django's own checks (the admin login goes through allauth)
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_ADAPTER = "attunement.accounts.adapters.InvitationOnlyAdapter"
# An organisation's own sign-in (Google, Microsoft, OpenID Connect): only invited people and members get in.
SOCIALACCOUNT_ADAPTER = "attunement.members.single_sign_on.InvitedMembersOnly"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PREVENT_ENUMERATION = True
# Wrong passwords are django-axes' job (see below), wrong second-step codes accounts.security's (both kept in the
# database, so every server process counts the same). Logins per address are allowed generously: a whole school
# may log in at 9 o'clock from one public address.
ACCOUNT_RATE_LIMITS = {"login_failed": None, "login": "300/m/ip"}
# Tell people by e-mail when their password or authenticator changes, so a change they did not make is noticed.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# A password-reset link works for an hour (Django's default is three days).
PASSWORD_RESET_TIMEOUT = 3600
MFA_FORMS = {
    "authenticate": "attunement.accounts.forms.LockingAuthenticateForm",
    "reauthenticate": "attunement.accounts.forms.LockingReauthenticateForm",
}
# Wrong codes (from the authenticator app or a recovery code) before the second step is paused, and for how long.
SECOND_STEP_FAILURE_LIMIT = 5
SECOND_STEP_COOLOFF = timedelta(minutes=int(os.environ.get("LOCKOUT_MINUTES", "15")))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Accounts are made by an administrator with a known address; nothing here depends on verifying it again.
MFA_ALLOW_UNVERIFIED_EMAIL = True
MFA_TOTP_ISSUER = "Attunement"
# Roles that see a whole organisation must use a second factor; everyone else is offered one.
MFA_REQUIRED_ROLES = ["coordinator", "manager", "administrator"]

AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("LOCKOUT_MINUTES", "15")))
# Locked per account: a whole school often shares one public address, so locking by address would lock
# out the staff room for one mistyped password. Per account, guessing any one password is still stopped.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
# Locked per account *and* address: someone elsewhere typing wrong passwords for a person cannot lock that person
# out. One address is also locked for everyone after AXES_ADDRESS_FAILURE_LIMIT wrong passwords across all
# accounts (a few guesses at many accounts). A whole school often shares one public address, so that limit is
# far above a staff room's ordinary mistyping; a correct password clears that person's own mistakes.
AXES_HANDLER = "attunement.accounts.lockout.AccountAndAddressHandler"
AXES_ADDRESS_FAILURE_LIMIT = int(os.environ.get("LOCKOUT_ADDRESS_FAILURES", "40"))
# A lock ends when its time is up: attempts while locked are refused unchecked and do not make it longer.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "attunement.accounts.lockout.username_of_attempt"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True  # sign-ins and failures are kept in the security log, which has a retention period
# How long the security log (accounts.SecurityEvent) is kept; the retention run deletes older entries.
SECURITY_LOG_RETENTION_DAYS = int(os.environ.get("SECURITY_LOG_RETENTION_DAYS", "365"))
# Only true behind a reverse proxy of our own that appends the client's address to X-Forwarded-For.
TRUST_X_FORWARDED_FOR = os.environ.get("TRUST_X_FORWARDED_FOR", "false").lower() in {"1", "true", "yes"}

# Without EMAIL_HOST, password-reset mail is written to var/sent-mail for the administrator to pass on.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "true").lower() in {"1", "true", "yes"}
EMAIL_FILE_PATH = VAR_DIR / "sent-mail"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Attunement <no-reply@localhost>")
# How many days an invitation's link works.
INVITATION_DAYS = int(os.environ.get("INVITATION_DAYS", "7"))
# The address people reach Attunement at, for the links in e-mails sent by the scheduled daily e-mail (no request).
SITE_URL = os.environ.get("SITE_URL", "http://localhost:8000")
# The daily e-mail of notifications goes out at the first run from this hour (local time) each day.
NOTIFICATIONS_DIGEST_HOUR = int(os.environ.get("NOTIFICATIONS_DIGEST_HOUR", "7"))

# --- The API: how many requests one key may send in a minute (counted in the database, so every web server
# process counts against the same number) ---------------------------------------------------------------------
API_REQUESTS_PER_MINUTE = int(os.environ.get("API_REQUESTS_PER_MINUTE", "120"))

# --- Sessions: an idle timeout and an absolute lifetime ---------------------------------------------------
IDLE_TIMEOUT_MINUTES = int(os.environ.get("IDLE_TIMEOUT_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_LIFETIME_HOURS", "12")) * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The session records when its user was last seen; it is written again only when that moved by this much,
# so most signed-in requests write nothing.
SESSION_LAST_SEEN_RESOLUTION_SECONDS = 60

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_FAILURE_VIEW = "attunement.accounts.csrf.csrf_failure"  # a kind page that keeps the draft (accounts/csrf.py)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# No inline script or style anywhere: every page's script and CSS come from our own static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        # The service worker (served from the site's root) and the app's manifest: our own files only.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
        # A voice note is played back from the recording in the page (a blob: address) before it is sent.
        "media-src": ["'self'", "blob:"],
    }
}

# A photo of a person is optional and small; anything larger is refused with a clear message.
LEARNER_PHOTO_MAX_BYTES = 5 * 1024 * 1024
# A training certificate (PDF, JPEG or PNG).
TRAINING_CERTIFICATE_MAX_BYTES = 10 * 1024 * 1024
# Pictures are measured from their header before decoding; more pixels than this are refused (memory).
LEARNER_PHOTO_MAX_PIXELS = 40_000_000

# Importing people from a spreadsheet: the largest file taken, and the most rows of people one file may hold
# (a longer file is refused as soon as the row after the last is reached).
PEOPLE_IMPORT_MAX_BYTES = 5 * 1024 * 1024
PEOPLE_IMPORT_MAX_ROWS = 5_000

# Coding imports: the largest file taken, and the most one file may hold, checked while it is read.
CODING_IMPORT_MAX_BYTES = 20 * 1024 * 1024
CODING_IMPORT_MAX_EVENTS = 50_000
CODING_IMPORT_MAX_CODES = 1_000
CODING_IMPORT_MAX_OBSERVATIONS = 500

# Interaction analysis: one waiting or running measurement per video, and at most this many requests per
# member in an hour, so one person cannot keep the worker from everyone else's videos.
ANALYSIS_REQUESTS_PER_HOUR = 6

# Session videos: the largest file accepted (2 GB unless VIDEO_MAX_BYTES says otherwise). Uploads are
# streamed to a temporary file in FILE_UPLOAD_TEMP_DIR, so this is disk, not memory.
VIDEO_MAX_BYTES = int(os.environ.get("VIDEO_MAX_BYTES", str(2 * 1024**3)))
FILE_UPLOAD_TEMP_DIR = os.environ.get("FILE_UPLOAD_TEMP_DIR") or None
# Files about people are readable by the service's own user only.
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Dotted paths of functions the task worker calls when it starts and then every minute (tidying up
# after work that stopped half-way, for example). An error in one is logged and does not stop the worker.
WORKER_HOUSEKEEPING: list[str] = [
    "attunement.reflection.tasks.recover_stalled_work",
    "attunement.codings.services.abandoned_imports_remove",
]

# Work on videos (proxy, clip, analysis) writes a sign of life at least every few seconds while it runs. When
# none has come for this long, its worker is taken to have stopped: the work is queued again, and after
# BACKGROUND_WORK_ATTEMPTS starts it is marked failed with a message asking the user to try again.
STALLED_WORK_AFTER_SECONDS = int(os.environ.get("STALLED_WORK_AFTER_SECONDS", "180"))
BACKGROUND_WORK_ATTEMPTS = 3
