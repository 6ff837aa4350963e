"""Production settings: the defaults of katalog/settings.py made safe for a server on the Internet.

Used by the container image (`DJANGO_SETTINGS_MODULE=katalog.settings_production`, see Dockerfile and
docs/deployment.md). Every value still comes from the environment when set there; only the defaults
differ. `katalog check --deploy` is clean with these settings (tests/core/test_security_headers.py).
"""

import os

from .settings import *  # noqa: F403
from .settings import env_bool

DEBUG = False

# TLS ends at the proxy (Caddy/nginx), which sets X-Forwarded-Proto; plain HTTP is redirected.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("KATALOG_HTTPS_REDIRECT", True)
# /healthz is asked by the proxy and the orchestrator over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]
SECURE_HSTS_SECONDS = int(os.environ.get("KATALOG_HSTS_SECONDS", str(365 * 24 * 3600)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("KATALOG_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("KATALOG_HSTS_PRELOAD", True)
SESSION_COOKIE_SECURE = env_bool("KATALOG_SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Two-factor sign-in for the roles that approve, pay, curate or administer (docs/security.md).
KATALOG_REQUIRE_2FA = env_bool("KATALOG_REQUIRE_2FA", True)
