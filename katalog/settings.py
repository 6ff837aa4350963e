"""Settings, read from environment variables only (see README.md, "Configuration")."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("KATALOG_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("KATALOG_DEBUG", False)


def _secret_key() -> str:
    """The key comes from KATALOG_SECRET_KEY; without one, a random key is made once and kept
    under var/ (never in the repository), so sessions survive a restart on a developer machine."""
    key = os.environ.get("KATALOG_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        from django.core.management.utils import get_random_secret_key

        path.write_text(get_random_secret_key())
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("KATALOG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("KATALOG_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "katalog.core",
    "katalog.accounts",
    "katalog.vendors",
    "katalog.catalogue",
    "katalog.search",
    "katalog.buying",
    "katalog.insights",
    "katalog.demo",
    "katalog.messaging",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "katalog.core.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "katalog.core.nulls.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "katalog.core.tenancy.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "katalog.urls"
WSGI_APPLICATION = "katalog.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "katalog" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "katalog.core.context_processors.tenant",
                "katalog.buying.context_processors.notifications",
            ],
            "builtins": ["katalog.core.templatetags.rupiah"],
        },
    }
]

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL picks the engine; the default is an SQLite file under var/.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'katalog.sqlite3'}"),
        conn_max_age=int(os.environ.get("KATALOG_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; IMMEDIATE takes the write lock when a
    # transaction begins, so two writers queue instead of failing half-way ("no check-then-act").
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    # A phone number (any Indonesian format) or an e-mail address in place of the user name.
    "katalog.accounts.backends.PhoneOrEmailBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:home"
LOGOUT_REDIRECT_URL = "home"

# Throttled sign-in: after AXES_FAILURE_LIMIT failures for one username from one address,
# that pair is locked out for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("KATALOG_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "katalog.accounts.lockout.lockout_response"
AXES_VERBOSE = False
AXES_ENABLED = env_bool("KATALOG_AXES_ENABLED", True)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KATALOG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Language, time, money ------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "katalog" / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

# --- Files ----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "katalog" / "static"]
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("KATALOG_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded documents: PDF, JPEG or PNG, checked by their content; at most this many bytes.
KATALOG_MAX_DOCUMENT_BYTES = int(os.environ.get("KATALOG_MAX_DOCUMENT_BYTES", str(5 * 1024 * 1024)))
KATALOG_MAX_IMPORT_BYTES = int(os.environ.get("KATALOG_MAX_IMPORT_BYTES", str(30 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("KATALOG_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("KATALOG_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("KATALOG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("KATALOG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("KATALOG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("KATALOG_EMAIL_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("KATALOG_EMAIL_FROM", "Katalog Lokal <noreply@katalog.local>")

# --- The product's own settings -------------------------------------------------------------
# The tenant that public pages show when the request's host names none (see docs/decisions.md).
KATALOG_DEFAULT_TENANT = os.environ.get("KATALOG_DEFAULT_TENANT", "12.71")
# The public address of the site, for links in e-mails when a tenant has no domain of its own.
KATALOG_SITE_URL = os.environ.get("KATALOG_SITE_URL", "")
KATALOG_DEMO_PASSWORD = os.environ.get("KATALOG_DEMO_PASSWORD", "katalog-demo-2026")  # demo/accounts.py
KATALOG_API_TOKEN_DAYS = int(os.environ.get("KATALOG_API_TOKEN_DAYS", "30"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("KATALOG_LOG_LEVEL", "WARNING")},
}

# Search backend: "database" (SQLite FTS5 or PostgreSQL full text, by engine) or "tantivy".
KATALOG_SEARCH_BACKEND = os.environ.get("KATALOG_SEARCH_BACKEND", "database")
KATALOG_TANTIVY_DIR = Path(os.environ.get("KATALOG_TANTIVY_DIR", VAR_DIR / "tantivy"))
KATALOG_MAX_PHOTO_BYTES = int(os.environ.get("KATALOG_MAX_PHOTO_BYTES", str(8 * 1024 * 1024)))
# A price raised by more than this fraction within KATALOG_PRICE_JUMP_DAYS is flagged for curation.
KATALOG_PRICE_JUMP_RATIO = os.environ.get("KATALOG_PRICE_JUMP_RATIO", "0.25")
KATALOG_PRICE_JUMP_DAYS = int(os.environ.get("KATALOG_PRICE_JUMP_DAYS", "30"))

# Background tasks (django-tasks with its database backend; `katalog db_worker` runs them).
TASKS = {"default": {"BACKEND": os.environ.get("KATALOG_TASKS_BACKEND", "django_tasks_db.backend.DatabaseBackend")}}

# Outgoing messages (docs/messages.md): console | file | live | "email:smtp,whatsapp:whatsapp,sms:file".
KATALOG_MESSAGE_BACKEND = os.environ.get("KATALOG_MESSAGE_BACKEND", "console")
KATALOG_MESSAGE_FILE = Path(os.environ.get("KATALOG_MESSAGE_FILE", VAR_DIR / "messages.jsonl"))
KATALOG_MESSAGE_TIMEOUT = float(os.environ.get("KATALOG_MESSAGE_TIMEOUT", "10"))  # seconds per provider call
KATALOG_WHATSAPP_URL = os.environ.get("KATALOG_WHATSAPP_URL", "https://graph.facebook.com")
KATALOG_WHATSAPP_API_VERSION = os.environ.get("KATALOG_WHATSAPP_API_VERSION", "v21.0")
KATALOG_WHATSAPP_TOKEN = os.environ.get("KATALOG_WHATSAPP_TOKEN", "")
KATALOG_WHATSAPP_PHONE_NUMBER_ID = os.environ.get("KATALOG_WHATSAPP_PHONE_NUMBER_ID", "")
KATALOG_WHATSAPP_TEMPLATE = os.environ.get("KATALOG_WHATSAPP_TEMPLATE", "katalog_pemberitahuan")
KATALOG_WHATSAPP_LANGUAGE = os.environ.get("KATALOG_WHATSAPP_LANGUAGE", "id")
# The status webhook (docs/messages.md): the token Meta echoes when subscribing, the app secret it signs with.
KATALOG_WHATSAPP_VERIFY_TOKEN = os.environ.get("KATALOG_WHATSAPP_VERIFY_TOKEN", "")
KATALOG_WHATSAPP_APP_SECRET = os.environ.get("KATALOG_WHATSAPP_APP_SECRET", "")
KATALOG_SMS_URL = os.environ.get("KATALOG_SMS_URL", "")
KATALOG_SMS_API_KEY = os.environ.get("KATALOG_SMS_API_KEY", "")

# Purchasing rules (PRODUCT.md). Amounts in rupiah.
KATALOG_PP_LIMIT = os.environ.get("KATALOG_PP_LIMIT", "200000000")  # a PP completes purchases up to this
# Taxes (buying/taxes.py; docs/taxes.md). PPN only when the vendor is a PKP: PMK 131/2024 puts 12% on a
# DPP "nilai lain" of 11/12 of the price for goods that are not luxury goods (11% of the price).
KATALOG_VAT_PERCENT = os.environ.get("KATALOG_VAT_PERCENT", "12")
KATALOG_VAT_DPP_FACTOR = os.environ.get("KATALOG_VAT_DPP_FACTOR", "11/12")
# A government treasurer collects PPN and withholds PPh on a purchase above this (PMK 59/2022, PMK 34/2017).
KATALOG_TREASURER_TAX_THRESHOLD = os.environ.get("KATALOG_TREASURER_TAX_THRESHOLD", "2000000")
KATALOG_PPH22_PERCENT = os.environ.get("KATALOG_PPH22_PERCENT", "1.5")  # of the DPP; doubled without an NPWP
KATALOG_PPH_FINAL_PERCENT = os.environ.get("KATALOG_PPH_FINAL_PERCENT", "0.5")  # PP 55/2022 certificate holders
# Late delivery: this many per mille of the late value for each calendar day late (Perpres 16/2018 Pasal 79).
KATALOG_LATE_PENALTY_PER_MILLE = os.environ.get("KATALOG_LATE_PENALTY_PER_MILLE", "1")
# The most any money field may hold (bounds every input: API, forms, imports).
KATALOG_MAX_MONEY = 1_000_000_000_000
KATALOG_MAX_QUANTITY = 10_000_000
KATALOG_WAIT_WORKING_DAYS = int(os.environ.get("KATALOG_WAIT_WORKING_DAYS", "3"))  # PPK approval, vendor confirmation
KATALOG_UNPAID_FLAG_DAYS = int(os.environ.get("KATALOG_UNPAID_FLAG_DAYS", "30"))  # invoice unpaid this long: flagged
# Invitations of registry vendors to claim their record (katalog/vendors/invitations.py).
KATALOG_INVITE_INTERVAL_DAYS = int(os.environ.get("KATALOG_INVITE_INTERVAL_DAYS", "7"))  # at most one a week
KATALOG_INVITES_PER_MINUTE = int(os.environ.get("KATALOG_INVITES_PER_MINUTE", "30"))  # bulk: worker's sending rate
