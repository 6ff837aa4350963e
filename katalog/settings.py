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
    "csp",
    "ninja",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
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
    "django_prometheus",
]

MIDDLEWARE = [
    "katalog.core.health.HealthMiddleware",  # /healthz first: a monitor needs none of what follows
    "katalog.core.api_path.BearerApiMiddleware",  # an API call with a bearer token: API_BEARER_MIDDLEWARE below
    "django_prometheus.middleware.PrometheusBeforeMiddleware",  # request metrics for /metrics
    "django.middleware.security.SecurityMiddleware",
    "katalog.core.security.SitePolicyCSPMiddleware",  # django-csp's, the site's policy built once
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "katalog.core.request_context.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "katalog.core.language.LanguageMiddleware",
    "katalog.core.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "katalog.core.nulls.RefuseNulCharactersMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "katalog.core.page_cache.VisitorPageCacheMiddleware",  # visitors' public pages, kept rendered
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "katalog.accounts.middleware.SlidingSessionMiddleware",
    "katalog.accounts.middleware.TwoFactorRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "katalog.core.security.PrivateNoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "katalog.core.tenancy.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
    "katalog.core.db_router.ReplicaReadsMiddleware",  # public pages and dashboards may read from the replica
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# The chain of an API request with a bearer token and no session cookie (katalog/core/api_path.py):
# MIDDLEWARE without what only a browser's session needs. A middleware added above must be added here
# too unless it only serves pages (tests/core/test_api_path.py compares the two lists).
API_BEARER_MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "katalog.core.security.SitePolicyCSPMiddleware",
    "katalog.core.request_context.RequestContextMiddleware",
    "katalog.core.language.LanguageMiddleware",
    "katalog.core.uploads.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "katalog.core.nulls.RefuseNulCharactersMiddleware",
    "katalog.core.security.PrivateNoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "katalog.core.tenancy.TenantMiddleware",
    "axes.middleware.AxesMiddleware",
    "katalog.core.db_router.ReplicaReadsMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                "katalog.core.navigation.navigation",
                "katalog.buying.context_processors.notifications",
                "katalog.core.page_cache.csrf_placeholder",  # after Django's own csrf processor
            ],
            "builtins": ["katalog.core.templatetags.rupiah"],
        },
    }
]

# Visitors' public pages kept rendered, at most this many seconds (core/page_cache.py; 0: none).
KATALOG_VISITOR_PAGE_SECONDS = int(os.environ.get("KATALOG_VISITOR_PAGE_SECONDS", "60"))

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL picks the engine; the default is an SQLite file under var/.
# Persistent connections (docs/performance.md, "Pages and the cost of a request"): opening one per
# request was half of /healthz. Each is checked before a request reuses it (a restarted server is
# reconnected, not an error) and closed after KATALOG_DB_CONN_MAX_AGE seconds (0: one per request).
KATALOG_DB_CONN_MAX_AGE = int(os.environ.get("KATALOG_DB_CONN_MAX_AGE", "600"))
# What the pages keep between requests (categories, the tenant of a host) is forgotten in every web process
# of the machine when a file here moves (katalog/core/tenant_cache.py); app servers may share it.
KATALOG_CACHE_STAMPS_DIR = Path(os.environ.get("KATALOG_CACHE_STAMPS_DIR", VAR_DIR / "cache-stamps"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'katalog.sqlite3'}"),
        conn_max_age=KATALOG_DB_CONN_MAX_AGE,
        conn_health_checks=True,
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

# A read replica (docs/deployment.md): when DATABASE_REPLICA_URL is set, the public catalogue pages and
# the dashboards read from it (katalog/core/db_router.py); every write and everything else uses default.
# Without one, "replica" is only an alias of the same database that nothing reads from.
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
DATABASES["replica"] = (
    dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=KATALOG_DB_CONN_MAX_AGE, conn_health_checks=True)
    if DATABASE_REPLICA_URL
    else {**DATABASES["default"], "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {}))}
)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
KATALOG_REPLICA_READS = bool(DATABASE_REPLICA_URL)
DATABASE_ROUTERS = ["katalog.core.db_router.ReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # axes (per user name and address) plus the per-address and per-account limits of accounts/throttle.py.
    "katalog.accounts.backends.ThrottledAxesBackend",
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
# The client's address: REMOTE_ADDR, or behind KATALOG_TRUSTED_PROXY_COUNT reverse proxies the Nth
# address from the right of X-Forwarded-For (docs/deployment.md). Used by every limit.
KATALOG_TRUSTED_PROXY_COUNT = int(os.environ.get("KATALOG_TRUSTED_PROXY_COUNT", "0"))
AXES_CLIENT_IP_CALLABLE = "katalog.accounts.client_ip.client_ip"
# Against spraying (docs/security.md): failed sign-ins from one address across all accounts, and
# the slow-down of one account attacked from many addresses (browsers it signed in on are exempt).
KATALOG_SIGNIN_ADDRESS_LIMIT = int(os.environ.get("KATALOG_SIGNIN_ADDRESS_LIMIT", "20"))  # per 15 minutes
KATALOG_SIGNIN_ACCOUNT_SLOWDOWN_AFTER = int(os.environ.get("KATALOG_SIGNIN_ACCOUNT_SLOWDOWN_AFTER", "10"))
KATALOG_SIGNIN_ACCOUNT_DELAY = int(os.environ.get("KATALOG_SIGNIN_ACCOUNT_DELAY", "10"))  # seconds between tries
KATALOG_REGISTER_LIMIT_PER_ADDRESS = int(os.environ.get("KATALOG_REGISTER_LIMIT_PER_ADDRESS", "10"))  # per hour
# Two-factor sign-in (TOTP) for the roles that approve, pay, curate or administer; on in
# katalog/settings_production.py, off here (the demo and developer machines).
KATALOG_REQUIRE_2FA = env_bool("KATALOG_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "Katalog Lokal"
# Sessions end after a working day without activity (sliding: each visit pushes the end back).
SESSION_COOKIE_AGE = int(float(os.environ.get("KATALOG_SESSION_IDLE_HOURS", "8")) * 3600)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("KATALOG_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Security headers (docs/security.md) ------------------------------------------------------
# HTTPS: behind the documented proxy, which terminates TLS and sets X-Forwarded-Proto. All off on a
# developer machine; katalog/settings_production.py turns them on (a year of HSTS).
SECURE_SSL_REDIRECT = env_bool("KATALOG_HTTPS_REDIRECT", False)
SECURE_HSTS_SECONDS = int(os.environ.get("KATALOG_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KATALOG_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("KATALOG_HSTS_PRELOAD", False)
if env_bool("KATALOG_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts only from this site's own files, never inline or
# eval'd (htmx's eval features are off, see base.html); inline style attributes are allowed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

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
# Uploads (issue 10, see katalog/core/uploads.py): an image above this many pixels is refused from
# its header, before decoding; a request body above KATALOG_MAX_REQUEST_BYTES is answered 413 before it
# is read; form fields (files apart) hold at most DATA_UPLOAD_MAX_MEMORY_SIZE; a file above
# FILE_UPLOAD_MAX_MEMORY_SIZE is streamed to a temporary file rather than held in memory.
KATALOG_MAX_IMAGE_PIXELS = int(os.environ.get("KATALOG_MAX_IMAGE_PIXELS", str(40_000_000)))
KATALOG_MAX_REQUEST_BYTES = int(
    os.environ.get("KATALOG_MAX_REQUEST_BYTES", str(KATALOG_MAX_IMPORT_BYTES + 1024 * 1024))
)
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("KATALOG_MAX_FORM_BYTES", str(2_621_440)))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

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
# OCDS open data (issue 9): the publisher prefix of every ocid, registered with the OCDS helpdesk
# (data@open-contracting.org); "ocds-xxxxxx" until the tenant has its own. See docs/decisions.md.
KATALOG_OCDS_PREFIX = os.environ.get("KATALOG_OCDS_PREFIX", "ocds-xxxxxx")
KATALOG_DEMO_PASSWORD = os.environ.get("KATALOG_DEMO_PASSWORD", "katalog-demo-2026")  # demo/accounts.py
KATALOG_API_TOKEN_DAYS = int(os.environ.get("KATALOG_API_TOKEN_DAYS", "30"))
# /metrics (Prometheus) answers only a request carrying "Authorization: Bearer <this token>"; empty: 404.
KATALOG_METRICS_TOKEN = os.environ.get("KATALOG_METRICS_TOKEN", "")

# KATALOG_LOG_JSON=true (production, compose.yaml): one JSON object per line (katalog/core/logging.py).
KATALOG_LOG_JSON = env_bool("KATALOG_LOG_JSON", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "katalog.core.logging.JsonFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", **({"formatter": "json"} if KATALOG_LOG_JSON else {})}},
    "root": {"handlers": ["console"], "level": os.environ.get("KATALOG_LOG_LEVEL", "WARNING")},
}

# Search backend: "database" (SQLite FTS5 or PostgreSQL full text, by engine) or "tantivy".
KATALOG_SEARCH_BACKEND = os.environ.get("KATALOG_SEARCH_BACKEND", "database")
# Among equally relevant results, micro and small vendors and higher TKDN come first (docs/search.md).
KATALOG_SEARCH_PREFER_LOCAL = os.environ.get("KATALOG_SEARCH_PREFER_LOCAL", "true").lower() not in ("0", "false", "no")
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
# WhatsApp, SMS and e-mail messages to one recipient a day; past it they are kept as "held" (docs/messages.md).
KATALOG_MESSAGES_PER_RECIPIENT_PER_DAY = int(os.environ.get("KATALOG_MESSAGES_PER_RECIPIENT_PER_DAY", "20"))
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
# The person who created an order may approve it as its PPK only where this allows it (issue 10; off:
# another PPK of the office approves). A shipping cost is at most this share of its line's goods value.
KATALOG_ALLOW_PP_AS_PPK = env_bool("KATALOG_ALLOW_PP_AS_PPK", False)
KATALOG_SHIPPING_MAX_SHARE = os.environ.get("KATALOG_SHIPPING_MAX_SHARE", "0.10")
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
# Red flags for the auditor (katalog/insights/redflags.py; docs/decisions.md "Red flags").
KATALOG_FLAG_LISTING_DAYS = int(os.environ.get("KATALOG_FLAG_LISTING_DAYS", "1"))  # listed/raised, then bought
KATALOG_FLAG_SPLIT_DAYS = int(os.environ.get("KATALOG_FLAG_SPLIT_DAYS", "30"))  # orders summed over this window
KATALOG_FLAG_CONCENTRATION_SHARE = os.environ.get("KATALOG_FLAG_CONCENTRATION_SHARE", "0.5")  # one vendor's share
KATALOG_FLAG_CONCENTRATION_MIN_TOTAL = os.environ.get("KATALOG_FLAG_CONCENTRATION_MIN_TOTAL", "50000000")
KATALOG_FLAG_PAYMENT_DAYS = int(os.environ.get("KATALOG_FLAG_PAYMENT_DAYS", str(KATALOG_UNPAID_FLAG_DAYS)))
KATALOG_FLAG_SWEEP_HOURS = float(os.environ.get("KATALOG_FLAG_SWEEP_HOURS", "24"))  # the worker looks this often
# Invitations of registry vendors to claim their record (katalog/vendors/invitations.py).
# What the "sent for curation" screen tells a vendor: curation usually takes up to this many working days.
KATALOG_CURATION_WORKING_DAYS = int(os.environ.get("KATALOG_CURATION_WORKING_DAYS", "2"))
# A registry import in progress that has not moved for this long is shown as stalled, with "Lanjutkan".
KATALOG_IMPORT_STALL_MINUTES = int(os.environ.get("KATALOG_IMPORT_STALL_MINUTES", "10"))
KATALOG_INVITE_INTERVAL_DAYS = int(os.environ.get("KATALOG_INVITE_INTERVAL_DAYS", "7"))  # at most one a week
KATALOG_INVITES_PER_MINUTE = int(os.environ.get("KATALOG_INVITES_PER_MINUTE", "30"))  # bulk: worker's sending rate
