"""Take screenshots of portal pages in both languages at desktop and phone width.

Usage: python scripts/screenshots.py [BASE_URL] [PATH ...]
Writes PNGs to screenshots/ (git-ignored). Needs Debian's chromium at /usr/bin/chromium.
Set LOGIN=email:password to take them as a logged-in user.
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


def main() -> None:
    base = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
    paths = sys.argv[2:] or ["/"]
    out = Path("screenshots")
    out.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for size_name, (width, height) in SIZES.items():
            context = browser.new_context(viewport={"width": width, "height": height})
            page = context.new_page()
            if login := os.environ.get("LOGIN"):
                email, password = login.split(":", 1)
                page.goto(f"{base}/en/accounts/login/")
                page.fill("input[name=username]", email)
                page.fill("input[name=password]", password)
                page.click("form button[type=submit]")
            for lang in ("fa", "en"):
                for path in paths:
                    page.goto(f"{base}/{lang}{path}")
                    name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "home"
                    target = out / f"{name}-{lang}-{size_name}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
