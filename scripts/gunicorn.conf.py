"""gunicorn for Katalog Lokal (`make run`, the Dockerfile): `gunicorn -c scripts/gunicorn.conf.py`.

Sized for the machine: KATALOG_WEB_WORKERS processes (default: 2 per core plus one, at most 9), each
with KATALOG_WEB_THREADS threads (default 4) of the gthread worker, so a slow request (a PDF, an
export) holds one thread, not a process, and connections beyond the threads wait in the listen
queue instead of being refused. Static files come from WhiteNoise inside the app. The access log
goes to stdout (JSON lines with KATALOG_LOG_JSON=true), errors to stderr.
"""

import os
import shutil
import tempfile
from pathlib import Path

_cores = os.cpu_count() or 1

bind = os.environ.get("KATALOG_BIND", f"127.0.0.1:{os.environ.get('PORT', '8000')}")
workers = int(os.environ.get("KATALOG_WEB_WORKERS", min(2 * _cores + 1, 9)))
worker_class = "gthread"
threads = int(os.environ.get("KATALOG_WEB_THREADS", "4"))
backlog = 2048
timeout = int(os.environ.get("KATALOG_WEB_TIMEOUT", "60"))
graceful_timeout = 30
keepalive = 5
wsgi_app = "katalog.wsgi:application"
control_socket_disable = True  # no `gunicornc` socket: several servers may run under one user
# The proxy in front (compose.yaml) tells the client's address and scheme; trust it only from here.
forwarded_allow_ips = os.environ.get("KATALOG_FORWARDED_ALLOW_IPS", "127.0.0.1")

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("KATALOG_LOG_LEVEL", "info").lower()
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms "%(a)s"'

_json = os.environ.get("KATALOG_LOG_JSON", "").strip().lower() in {"1", "true", "yes", "on"}
if _json:
    logconfig_dict = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "katalog.core.logging.JsonFormatter"}},
        "handlers": {
            "access": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"},
            "error": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        },
        "loggers": {
            "gunicorn.access": {"handlers": ["access"], "level": "INFO", "propagate": False},
            "gunicorn.error": {"handlers": ["error"], "level": loglevel.upper(), "propagate": False},
        },
        "root": {"handlers": ["error"], "level": "WARNING"},
    }

# Prometheus figures summed over all workers: each worker writes its own files in one directory
# (prometheus_client's multiprocess mode), emptied when the server starts and removed when it stops.
_metrics_dir = Path(
    os.environ.get("PROMETHEUS_MULTIPROC_DIR") or Path(tempfile.gettempdir()) / f"katalog-metrics-{os.getpid()}"
)
shutil.rmtree(_metrics_dir, ignore_errors=True)
_metrics_dir.mkdir(parents=True, exist_ok=True)
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(_metrics_dir)


def on_exit(server):
    shutil.rmtree(_metrics_dir, ignore_errors=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker):
    """Warm the new worker before it takes requests: its first request otherwise pays for importing
    the views, compiling the templates and opening the search engine (560 ms against 12-28 ms for
    the next ones on the demo: the load test's search p99). Failures are logged, never fatal."""
    from katalog.core.warmup import warm

    warm(worker.wsgi, worker.log)
