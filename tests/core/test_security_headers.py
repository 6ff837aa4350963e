"""Headers that protect every page: CSP, HSTS and HTTPS redirect, no-store on private files, and a
clean `check --deploy` with the production settings (docs/security.md)."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse

from tests import factories as f

TEMPLATE_DIRS = sorted(Path(settings.BASE_DIR, "katalog").rglob("templates"))


def _csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_every_page_carries_a_policy_that_runs_no_inline_or_foreign_script(client, medan):
    for url in ("/", "/cari/?q=batik", "/akun/masuk/"):
        policy = _csp(client.get(url))
        assert policy["script-src"] == ["'self'"], url
        assert policy["object-src"] == ["'none'"]
        assert policy["frame-ancestors"] == ["'none'"]
        assert "'unsafe-inline'" not in policy.get("default-src", [])


def test_the_policy_built_once_is_django_csps_and_follows_a_changed_setting(client, medan, settings):
    from csp.decorators import csp_update
    from csp.utils import build_policy
    from django.test import RequestFactory

    from katalog.core.security import SitePolicyCSPMiddleware

    for url in ("/", "/cari/?q=batik", "/healthz-not-here", "/api/v1/products?q=x"):
        assert client.get(url)["Content-Security-Policy"] == build_policy(), url
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"], "img-src": ["'self'"]}}
    changed = client.get("/")["Content-Security-Policy"]
    assert changed == build_policy() and "default-src 'none'" in changed and "script-src" not in changed
    # a view that changes the policy still gets django-csp's own handling
    view = csp_update({"img-src": ["https://peta.example"]})(lambda request: HttpResponse("ok"))
    request = RequestFactory().get("/")
    response = SitePolicyCSPMiddleware(view)(request)
    assert "https://peta.example" in response["Content-Security-Policy"]


def test_no_template_holds_an_inline_script_or_event_handler():
    """The policy forbids them, so a browser would silently drop them: none may be written."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)
    offenders = []
    for folder in TEMPLATE_DIRS:
        for path in folder.rglob("*.html"):
            text = path.read_text(encoding="utf-8")
            if inline_script.search(text) or handler.search(text) or "javascript:" in text:
                offenders.append(str(path.relative_to(settings.BASE_DIR)))
    assert offenders == []


def test_htmx_may_not_evaluate_code(client, medan):
    assert '"allowEval": false' in client.get("/").content.decode()


def test_plain_http_is_redirected_and_https_answers_with_hsts(client, medan, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = client.get("/cari/")
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get("/cari/", headers={"x-forwarded-proto": "https"})
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_vendor_document_and_a_signed_in_page_are_never_cached(client_as, medan, users, pdf):
    vendor = f.make_vendor(medan, users=[users["penyedia"]])
    vendor.documents.create(
        kind="nib",
        file=SimpleUploadedFile("x.pdf", pdf),
        token="t",
        extension="pdf",
        content_type="application/pdf",
        size=len(pdf),
    )
    client = client_as(users["catalogue_manager"])
    document = client.get(f"/penyedia/dokumen/{vendor.pk}/nib/")
    assert document.status_code == 200
    assert "no-store" in document["Cache-Control"] and "private" in document["Cache-Control"]
    assert "no-store" in client.get("/akun/").get("Cache-Control", "")


def test_a_public_page_for_a_visitor_may_be_cached(client, medan):
    assert "no-store" not in client.get("/cari/").get("Cache-Control", "")


@pytest.mark.parametrize("settings_module", ["katalog.settings_production"])
def test_check_deploy_is_clean_with_the_production_settings(settings_module, tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "KATALOG_SECRET_KEY": secrets.token_urlsafe(50),
        "KATALOG_ALLOWED_HOSTS": "katalog.pemkomedan.go.id",
        "KATALOG_VAR_DIR": str(tmp_path),
    }
    env.pop("KATALOG_DEBUG", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout
