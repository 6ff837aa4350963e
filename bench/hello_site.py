"""The baseline of bench/pages_bench.py: a bare Django "hello" view, served by the same gunicorn in the
same way as the site (`DJANGO_SETTINGS_MODULE=hello_site`, `--pythonpath bench`, app `hello_site:application`).

Settings, URLs and the WSGI application in one module: no installed apps, no middleware, no database,
so its rate is the floor that gunicorn plus Django's request handling cost on this machine."""

import os

from django.http import HttpResponse
from django.urls import path

SECRET_KEY = "hello-bench-not-secret"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = __name__
INSTALLED_APPS: list[str] = []
MIDDLEWARE: list[str] = []
DATABASES: dict = {}
USE_TZ = True


def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("", hello)]


if os.environ.get("DJANGO_SETTINGS_MODULE") == "hello_site":  # served (not merely imported by a linter)
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
