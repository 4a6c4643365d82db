"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.conftest import skip_or_fail

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]

# Playwright's sync API runs an event loop in this thread; the Django ORM calls the tests make
# between browser steps are ordinary synchronous code, so allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        skip_or_fail(f"no Chromium at {CHROMIUM}: install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def watch_csp(page, violations: list[str]) -> None:
    """Collect what the Content-Security-Policy refused (Chromium reports it on the console)."""

    def on_console(message) -> None:
        if "Content Security Policy" in message.text:
            violations.append(f"{page.url}: {message.text}")

    page.on("console", on_console)


@pytest.fixture
def csp_violations() -> Iterator[list[str]]:
    """Every browser test fails if a page it opened had a script or style refused by the CSP."""
    violations: list[str] = []
    yield violations
    assert violations == [], "the Content-Security-Policy refused something:\n" + "\n".join(violations)


@pytest.fixture
def page(browser, live_server, csp_violations):
    # A Persian-speaking user's browser; foreign buyers' browsers get English (see test_accounts).
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale="fa-IR"
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    watch_csp(page, csp_violations)
    yield page
    context.close()


@pytest.fixture
def new_page(browser, live_server, csp_violations):
    """new_page(locale) -> a page in a fresh browser context (one per person in the story).

    Contexts are closed when the test ends, so no late request reaches the live server after
    its database connection has gone back to the test runner."""
    contexts = []

    def make(locale: str = "fa-IR"):
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, base_url=live_server.url, locale=locale
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch_csp(page, csp_violations)
        return page

    yield make
    for context in contexts:
        context.close()


def confirm_signup(page, email: str) -> None:
    """Open the confirmation link e-mailed to `email` (the live server shares this process's
    locmem outbox) and press its button, as the new member would."""
    import re

    from django.core import mail

    body = next(m.body for m in reversed(mail.outbox) if m.to == [email])
    page.goto(re.search(r"https?://[^/]+(/\S+/confirm/\S+/)", body).group(1))
    page.locator("main form button[type=submit]").click()
