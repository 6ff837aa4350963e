"""A new gunicorn worker asks itself for the public pages once before it serves anyone
(scripts/gunicorn.conf.py, `post_worker_init`): the first request of a process imports the views,
compiles the templates, fills the URL resolver and opens the search engine, which cost a visitor
half a second. The requests go straight to the WSGI application (no socket, no access log). The
search is the empty one, which changes nothing (a search that finds nothing would be counted)."""

from __future__ import annotations

import io
import sys

PATHS = ("/", "/cari/", "/api/v1/products")


def _host() -> str:
    from django.conf import settings

    for host in settings.ALLOWED_HOSTS:
        if host and "*" not in host and not host.startswith("."):
            return host
    return "localhost"


def warm(application, log) -> None:
    host = _host()
    for path in PATHS:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": path,
            "QUERY_STRING": "",
            "SERVER_NAME": host,
            "SERVER_PORT": "80",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": host,
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        try:
            body = application(environ, lambda status, headers, exc_info=None: None)
            for _chunk in body:
                pass
            if hasattr(body, "close"):
                body.close()
        except Exception:  # a cold first request is slow, never a reason not to serve
            log.exception("warming %s failed", path)
