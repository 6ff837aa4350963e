# Katalog Lokal: one image for the web processes (gunicorn) and the task worker (compose.yaml,
# docs/deployment.md). Built from the production lock, every package checked against its hash;
# the build reaches nothing but the package registry (PyPI). No browser, no Debian packages.
# Settings: katalog/settings_production.py (HTTPS behind the proxy, HSTS, two-factor sign-in).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=katalog.settings_production \
    KATALOG_VAR_DIR=/var/lib/katalog \
    KATALOG_MEDIA_ROOT=/var/lib/katalog/media \
    KATALOG_BIND=0.0.0.0:8000 \
    KATALOG_LOG_JSON=true

WORKDIR /app
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin katalog

# The dependencies first, so a code change does not reinstall them.
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock

COPY . .
# The project (console script `katalog`), its translations, and the static files WhiteNoise serves
# (compressed once here). The build-time key only lets the settings load; it is never used.
RUN pip install --no-deps --no-build-isolation -e . \
    && KATALOG_SECRET_KEY=build-only katalog compilemessages_po \
    && KATALOG_SECRET_KEY=build-only katalog collectstatic --noinput \
    && mkdir -p /var/lib/katalog/media \
    && chown -R katalog:katalog /var/lib/katalog

USER katalog
EXPOSE 8000
VOLUME ["/var/lib/katalog/media"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["gunicorn", "--config", "scripts/gunicorn.conf.py"]
