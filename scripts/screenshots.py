"""Take screenshots of portal pages in Persian and English (or LANGS="ar ru") at desktop and phone width.

Usage: [LANGS="fa en ar ru"] python scripts/screenshots.py [BASE_URL] [PATH ...]
Writes PNGs to screenshots/ (git-ignored). Needs Debian's chromium at /usr/bin/chromium.
Set LOGIN=email:password to take them as a logged-in user; STAFF=email to take them as a member of
the centre's staff who has passed the second factor (the session is made in-process, so run it with
the server's DATABASE_URL). Paths under /admin/ are not language-prefixed: the language cookie
chooses their language.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SIZES = {"desktop": (1366, 900), "phone": (390, 844)}


def staff_cookies(email: str, base: str) -> list[dict]:
    """A signed-in staff session that passed the second factor, as browser cookies."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from portal.models import User
    from tests.two_factor import force_login_verified

    client = force_login_verified(Client(), User.objects.get(email=email))
    return [{"name": settings.SESSION_COOKIE_NAME, "value": client.session.session_key, "url": base}]


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    paths = sys.argv[2:] or ["/"]
    out = Path("screenshots")
    out.mkdir(exist_ok=True)
    # Made before Playwright starts: Django refuses database work inside its event loop.
    staff = staff_cookies(os.environ["STAFF"], base) if os.environ.get("STAFF") else None
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for size_name, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            if staff:
                context.add_cookies(staff)
            if login := os.environ.get("LOGIN"):
                email, password = login.split(":", 1)
                page.goto(f"{base}/en/accounts/login/")
                page.fill("input[name=username]", email)
                page.fill("input[name=password]", password)
                page.click("form button[type=submit]")
            for lang in os.environ.get("LANGS", "fa en").split():
                for path in paths:
                    if path.startswith("/admin"):
                        context.add_cookies([{"name": "portal_language", "value": lang, "url": base}])
                        page.goto(f"{base}{path}")
                    else:
                        page.goto(f"{base}/{lang}{path}")
                    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                    target = out / f"{name}-{lang}-{size_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
