"""Browser journeys: Playwright (sync API) driving Debian's chromium against pytest-django's
`live_server`. Never downloads a browser.

The live server runs in a thread of this process, so test code and server share settings and
`django.core.mail.outbox`; data must be committed to be seen by both (hence `transactional_db`).
"""

import importlib
import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests import factories as f

# Playwright's sync API runs an event loop in this thread; Django then refuses ORM calls from
# "async" code unless told this is fine (it is: the loop is Playwright's, not ours).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)


# --- Regions --------------------------------------------------------------------------------
# The Kepmendagri regions are loaded by a data migration. A transactional test flushes every
# table when it ends, so put them back: before each journey (it needs the kecamatan and
# kelurahan) and after it (so tests running later find the database as migrations left it).


def _ensure_regions() -> None:
    from django.apps import apps

    from katalog.core.models import Region

    if not Region.objects.exists():
        migration = importlib.import_module("katalog.core.migrations.0002_load_regions")
        migration.load(apps, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    result = yield
    if nextitem is None:  # the session is over and its test database is gone
        return result
    try:
        from pytest_django.plugin import blocking_manager_key
    except ImportError:  # pragma: no cover - a pytest-django without the stash key
        return result
    blocker = item.config.stash.get(blocking_manager_key, None)
    if blocker is not None:
        with blocker.unblock():
            _ensure_regions()
    return result


@pytest.fixture(autouse=True)
def _e2e_database(transactional_db):
    _ensure_regions()


# --- Browser --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context (its own cookies: one person, one device).

    `lang="en"` sets Django's language cookie, as the header's language button would; `lang=None`
    leaves the default (Indonesian)."""
    contexts, script_errors = [], []

    def open_page(*, viewport=DESKTOP, phone=False, lang="en"):
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            is_mobile=phone,
            has_touch=phone,
            accept_downloads=True,
            locale="id-ID",
            timezone_id="Asia/Jakarta",
        )
        contexts.append(context)
        # Chromium asks for /favicon.ico on every page; answer it here so the live server (which
        # may share one SQLite connection with the test thread) only sees the journey's requests.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204, body=""))
        if lang:
            context.add_cookies([{"name": "django_language", "value": lang, "url": live_server.url}])
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda exc: script_errors.append(f"{page.url}: {exc}"))
        return page

    yield open_page
    for context in contexts:
        context.close()
    # A script that crashes leaves a person with a half-working page, even if the journey passed.
    assert script_errors == []


@pytest.fixture
def page(new_page):
    """A desktop page in English (stable text to assert on)."""
    return new_page()


# --- Helpers --------------------------------------------------------------------------------


def assert_scripts_loaded(page) -> None:
    """Fail at once, with the reason, when the page's scripts did not load."""
    assert page.evaluate("typeof window.htmx") == "object", "htmx did not load on " + page.url


def login(page, username: str, password: str = f.PASSWORD) -> None:
    """Sign in through the sign-in form, as a person would, and wait to land somewhere else."""
    page.goto("/akun/masuk/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(lambda url: "/akun/masuk/" not in url)


def logout(page) -> None:
    page.locator("header form[action='/akun/keluar/'] button").click()
    page.wait_for_load_state()


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the viewport (0 = no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


def screenshot(page, name: str, *, both: bool = True) -> list[Path]:
    """Save full-page PNGs of the current page at phone width and at desktop width (or only at
    the current width with `both=False`), then restore the viewport."""
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size
    sizes = [PHONE, DESKTOP] if both else [original]
    paths = []
    for size in sizes:
        if size != page.viewport_size:
            page.set_viewport_size(size)
        path = SCREENSHOTS / f"{name}-{size['width']}.png"
        page.screenshot(path=str(path), full_page=True)
        paths.append(path)
    if page.viewport_size != original:
        page.set_viewport_size(original)
    return paths
