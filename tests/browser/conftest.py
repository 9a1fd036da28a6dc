"""Real-browser end-to-end tests: headless Chromium (Debian's ``/usr/bin/chromium``) driven by Playwright.

Deselected by default (``-m 'not worker and not browser'`` in pyproject); ``.ci/run`` runs them in their own
step (``pytest -m browser``) after ``scripts/browser-deps.sh`` installed Chromium. They never skip: without
Chromium they fail and say how to install it.

The server is pytest-django's ``live_server`` on a transactional database; ``serialized_rollback`` puts the
catalog (loaded by a data migration) back after each test's flush.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("BROWSER_EXECUTABLE", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "bench" / "out"
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session (a fresh context per test keeps cookies apart)."""
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: run `bash scripts/browser-deps.sh` (installs Debian's "
            "chromium) or set BROWSER_EXECUTABLE to a Chromium binary.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop in this thread, so Django would refuse the tests' own ORM calls
    # (SynchronousOnlyOperation). Allowed for the browser tests only, and restored afterwards.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    context.route("**/favicon.ico", lambda route: route.abort())  # no stray request to the live server
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture
def screenshot(page, request):
    """``screenshot()`` saves the current page to bench/out/<test name>.png when BROWSER_SCREENSHOTS=1."""

    def save(suffix: str = "") -> Path | None:
        if os.environ.get("BROWSER_SCREENSHOTS") != "1":
            return None
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOT_DIR / f"browser-{request.node.name}{suffix}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
