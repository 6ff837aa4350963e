"""Running it for real (issue 10): what `make install` / `make run` do, the lock files, the
production server (gunicorn) with its JSON logs and Prometheus metrics, and the container files."""

import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

from katalog.core.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


# --- make install / make run ----------------------------------------------------------------


def _make_dry_run(target: str) -> str:
    result = subprocess.run(["make", "-n", target], cwd=ROOT, capture_output=True, text=True, check=True)
    return result.stdout


def test_make_install_needs_no_root_and_no_browser_the_tests_install_it():
    install = _make_dry_run("install")
    assert "--require-hashes -r requirements.lock" in install
    assert "ensure-system-packages" not in install and "apt-get" not in install and "chromium" not in install
    for target in ("test", "e2e"):
        assert "scripts/ensure-system-packages" in _make_dry_run(target)
    assert "make test" in (ROOT / ".ci" / "run").read_text()  # so CI still gets the browser


def test_make_run_serves_with_gunicorn_and_the_worker_not_the_development_server():
    serve = (ROOT / "scripts" / "serve").read_text()
    assert "gunicorn" in serve and 'katalog" worker' in serve
    assert "runserver" not in serve
    assert "scripts/serve" in _make_dry_run("run")


def _ensure_system_packages(tmp_path, *, chromium: str = "/usr/bin/chromium", as_nobody: bool = False):
    """scripts/ensure-system-packages with a PATH holding no pdftoppm and an apt-get that finds
    the package lock busy (as Debian's does while another apt runs)."""
    tools = tmp_path / "bin"
    if not tools.exists():
        tools.mkdir()
        for tool in ("id", "bash"):
            (tools / tool).symlink_to(shutil.which(tool))
    apt = tools / "apt-get"
    apt.write_text("#!/bin/sh\necho 'E: Could not get lock /var/lib/dpkg/lock-frontend' >&2\nexit 100\n")
    apt.chmod(0o755)
    command = ["env", f"PATH={tools}", f"CHROMIUM={chromium}", "bash", str(ROOT / "scripts" / "ensure-system-packages")]
    if as_nobody:
        command = ["runuser", "-u", "nobody", "--", *command]
    return subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)


@pytest.mark.skipif(os.geteuid() != 0, reason="runs the script as root and as another user")
def test_the_tests_system_packages_step_fails_only_when_the_browser_is_missing():
    tmp_path = Path(tempfile.mkdtemp())  # not pytest's: another user must reach it
    tmp_path.chmod(0o755)
    chromium = tmp_path / "chromium"
    chromium.write_text("#!/bin/sh\n")
    chromium.chmod(0o755)
    # Root, apt busy, chromium there: a note about pdftoppm, no failure.
    busy = _ensure_system_packages(tmp_path, chromium=str(chromium))
    assert busy.returncode == 0, busy.stderr
    assert "package lock busy" in busy.stderr and "apt-get install poppler-utils" in busy.stderr
    # Not root, chromium there: no attempt, no failure.
    assert _ensure_system_packages(tmp_path, chromium=str(chromium), as_nobody=True).returncode == 0
    # Not root and no browser: it fails and says what to run.
    missing = _ensure_system_packages(tmp_path, chromium=str(tmp_path / "none"), as_nobody=True)
    assert missing.returncode == 1
    assert "sudo apt-get install chromium" in missing.stderr
    shutil.rmtree(tmp_path)


# --- lock files -----------------------------------------------------------------------------


def _locked(path: Path) -> dict[str, tuple[str, int]]:
    """name -> (version, number of hashes) of a pip-compile lock file."""
    pins: dict[str, tuple[str, int]] = {}
    name = None
    for line in path.read_text().splitlines():
        if m := re.match(r"^([A-Za-z0-9_.-]+)==(\S+)", line):
            name = m[1].lower().replace("_", "-").replace(".", "-")
            pins[name] = (m[2], 0)
        elif name and "--hash=sha256:" in line:
            pins[name] = (pins[name][0], pins[name][1] + 1)
    return pins


def _names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=\[ ;]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}


def test_production_and_development_locks_pin_every_package_with_hashes():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    prod = _locked(ROOT / "requirements.lock")
    dev = _locked(ROOT / "requirements-dev.lock")
    assert all(hashes for _, hashes in prod.values()) and all(hashes for _, hashes in dev.values())
    assert _names(project["dependencies"]) <= set(prod)
    assert _names(project["optional-dependencies"]["dev"]) <= set(dev)
    assert not _names(project["optional-dependencies"]["dev"]) & set(prod), "no test tool in production"
    assert {n: v for n, (v, _) in prod.items()} == {n: v for n, (v, _) in dev.items() if n in prod}


# --- JSON log lines -------------------------------------------------------------------------


def test_a_log_record_becomes_one_json_line():
    logger = logging.getLogger("katalog.test_ops")
    record = logger.makeRecord(
        logger.name, logging.ERROR, __file__, 1, "Order %s failed", (42,), None, extra={"order": 42}
    )
    try:
        raise ValueError("stock gone")
    except ValueError:
        record.exc_info = sys.exc_info()
    line = JsonFormatter().format(record)
    assert "\n" not in line  # the traceback's newlines are escaped: one physical line
    data = json.loads(line)
    assert data["level"] == "ERROR" and data["logger"] == "katalog.test_ops"
    assert data["message"] == "Order 42 failed" and data["order"] == 42
    assert "ValueError: stock gone" in data["exception"]
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00$", data["time"])


# --- /metrics -------------------------------------------------------------------------------


def test_metrics_are_invisible_without_the_token(client, settings, db):
    settings.KATALOG_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.KATALOG_METRICS_TOKEN = "s3cret-scrape-token"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_metrics_answer_prometheus_text_with_the_token(client, settings, db):
    settings.KATALOG_METRICS_TOKEN = "s3cret-scrape-token"
    client.get("/")
    response = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert re.search(r'^django_http_requests_total_by_view_transport_method_total\{.*view="home".*\} \d', text, re.M)
    assert "django_http_responses_total_by_status_total" in text


# --- gunicorn, for real ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, headers=None) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=20) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_gunicorn_serves_the_app_static_files_metrics_and_json_logs(tmp_path):
    port = _free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "KATALOG_VAR_DIR": str(tmp_path / "var"),
        "KATALOG_LOG_JSON": "true",
        "KATALOG_METRICS_TOKEN": "scrape",
        "KATALOG_WEB_WORKERS": "2",
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "metrics"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.pop("DATABASE_URL", None)  # its own SQLite file under KATALOG_VAR_DIR, whatever the suite runs on
    out, err = tmp_path / "access.log", tmp_path / "error.log"
    with out.open("w") as stdout, err.open("w") as stderr:
        server = subprocess.Popen(
            [BIN / "gunicorn", "--config", "scripts/gunicorn.conf.py"], cwd=ROOT, env=env, stdout=stdout, stderr=stderr
        )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                status, body = _get(f"{base}/healthz")
                break
            except OSError:
                time.sleep(0.25)
        else:
            pytest.fail(f"gunicorn did not start: {err.read_text()[-2000:]}")
        assert status == 200 and json.loads(body)["status"] == "ok"

        status, css = _get(f"{base}/static/css/katalog.css")  # WhiteNoise, no collectstatic needed
        assert status == 200 and css

        assert _get(f"{base}/metrics")[0] == 404
        for _ in range(6):  # both workers answer some: the figures add up over the workers
            _get(f"{base}/")
        status, text = _get(f"{base}/metrics", {"Authorization": "Bearer scrape"})
        assert status == 200
        total = sum(
            float(line.rsplit(" ", 1)[1])
            for line in text.decode().splitlines()
            if line.startswith("django_http_requests_total_by_view_transport_method_total{") and 'view="home"' in line
        )
        assert total >= 6, text.decode()[-3000:]  # (a monitor's /healthz is not counted: core/health.py)

        # Sixty clients at once (the development server reset connections under fifty): all answered.
        answers: list = []
        clients = [threading.Thread(target=lambda: answers.append(_get(f"{base}/healthz")[0])) for _ in range(60)]
        for c in clients:
            c.start()
        for c in clients:
            c.join()
        assert answers == [200] * 60
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=40)

    errors = [json.loads(line) for line in err.read_text().splitlines() if line.startswith("{")]
    assert any(e["message"] == "Using worker: gthread" for e in errors)
    assert sum(e["message"].startswith("Booting worker") for e in errors) == 2
    access = [json.loads(line) for line in out.read_text().splitlines()]  # every line is JSON
    healthz = [a for a in access if a.get("path") == "/healthz"]
    assert len(healthz) == 61 and {a["status"] for a in healthz} == {200} and healthz[0]["method"] == "GET"
    assert {a["status"] for a in access if a.get("path") == "/metrics"} == {404, 200}


# --- Dockerfile and compose.yaml ------------------------------------------------------------


def test_the_image_builds_from_the_lock_and_compose_has_every_part_of_the_deployment():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "--require-hashes -r requirements.lock" in dockerfile
    assert "scripts/gunicorn.conf.py" in dockerfile
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    services = compose["services"]
    assert {"web", "worker", "db", "proxy"} <= set(services)
    assert "gunicorn" in " ".join(services["web"].get("command") or []) or "gunicorn" in dockerfile
    assert "worker" in " ".join(services["worker"]["command"])
    assert services["db"]["image"].startswith("postgres")
    media = {v.split(":")[0] for v in services["web"]["volumes"]}
    assert "media" in media and media <= set(compose["volumes"])
    assert {v.split(":")[0] for v in services["worker"]["volumes"]} >= {"media"}
    env = services["web"]["environment"]
    assert env["KATALOG_LOG_JSON"] == "true" and env["DATABASE_URL"].startswith("postgres://")
    assert "ports" not in services["web"], "only the proxy is reachable from outside"
    assert "/metrics" in compose["configs"]["caddyfile"]["content"]  # the proxy refuses /metrics
