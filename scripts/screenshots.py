"""Take screenshots of the main pages at tablet and phone sizes, for looking at and for the docs.

Usage: .venv/bin/python scripts/screenshots.py http://127.0.0.1:8000 OUTPUT_DIR [EMAIL]
"""

import re
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"tablet": (768, 1024), "phone": (390, 844)}


def main(base: str, out: Path, email: str = "sam@oakfield.example") -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for size_name, (width, height) in SIZES.items():
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{base}/accounts/login/")
            page.screenshot(path=out / f"{size_name}-login.png")
            page.fill("#id_login", email)
            page.fill("#id_password", "attunement-demo")
            page.click("button[type=submit]")
            page.wait_for_url(f"{base}/")
            page.screenshot(path=out / f"{size_name}-home.png", full_page=True)
            learner_href = page.locator(".person-link").first.get_attribute("href")
            learner_id = re.search(r"/learners/(\d+)/", learner_href).group(1)
            for name, path in [
                ("about", f"/learners/{learner_id}/"),
                ("log-choose", "/log/"),
                ("log", f"/log/{learner_id}/"),
                ("timeline", f"/learners/{learner_id}/timeline/"),
                ("progress", f"/learners/{learner_id}/progress/"),
                ("review", f"/learners/{learner_id}/reviews/new/"),
                ("plans", f"/learners/{learner_id}/plans/"),
                ("fundamentals", "/organisation/fundamentals/"),
                ("profile-edit", f"/learners/{learner_id}/profile/"),
            ]:
                page.goto(base + path)
                page.screenshot(path=out / f"{size_name}-{name}.png", full_page=True)
            page.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), *sys.argv[3:])
