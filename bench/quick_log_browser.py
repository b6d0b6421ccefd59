"""Time and taps of logging a session in real Chromium, against a running server with the demo loaded.

Usage:  .venv/bin/python bench/quick_log_browser.py [--runs 10]

Starts its own server on a throw-away SQLite database, logs in as the demo practitioner and logs the common
case (person, duration, place, two Fundamentals, enjoyment, ending, a short note, save) again and again.
Prints the taps, the time the browser and server took, and an estimate of a practised person's time using
the Keystroke-Level Model (a tap ≈ 1.1 s to point and touch, typing on a tablet ≈ 0.35 s a character,
plus 1.35 s of thinking before each choice).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOTE = "Copied my hum and waited for me"
TAP_SECONDS, CHAR_SECONDS, THINK_SECONDS = 1.1, 0.35, 1.35


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(var_dir: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "ATTUNEMENT_VAR_DIR": var_dir}
    env.pop("DATABASE_URL", None)
    python = sys.executable
    subprocess.run([python, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    subprocess.run([python, "manage.py", "seed_demo"], cwd=ROOT, env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [
            str(Path(python).parent / "gunicorn"),
            "attunement.config.wsgi",
            "--chdir",
            "src",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("The server did not start.")


def log_one(page, base: str) -> tuple[int, float]:
    taps = 0

    def tap(locator):
        nonlocal taps
        locator.click()
        taps += 1

    started = time.perf_counter()
    page.goto(f"{base}/")
    tap(page.get_by_role("link", name="Log a session").first)
    tap(page.locator(".choose-card").first)
    tap(page.get_by_role("button", name="10 min"))
    tap(page.locator("[data-fills=id_place] button").first)
    tap(page.get_by_label("Enjoying being with another person", exact=True))
    tap(page.get_by_label("Taking turns in exchanges of behaviour", exact=True))
    tap(page.get_by_label("Lots", exact=True))
    tap(page.get_by_label("Natural end", exact=True))
    tap(page.get_by_label(re.compile("^What happened")))
    page.keyboard.type(NOTE)
    tap(page.get_by_role("button", name="Save session"))
    page.wait_for_url(re.compile(r"/timeline/$"))
    return taps, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as var_dir:
        server = start_server(var_dir, port)
        try:
            base = f"http://127.0.0.1:{port}"
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
                page = browser.new_page(viewport={"width": 768, "height": 1024}, has_touch=True)
                page.goto(f"{base}/accounts/login/")
                page.fill("#id_login", "sam@oakfield.example")
                page.fill("#id_password", "attunement-demo")
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
                results = [log_one(page, base) for _ in range(args.runs)]
                browser.close()
        finally:
            server.terminate()
            server.wait()
    taps = results[0][0]
    seconds = sorted(r[1] for r in results)
    estimate = taps * (TAP_SECONDS + THINK_SECONDS) + len(NOTE) * CHAR_SECONDS
    print(f"Quick log, common case, {args.runs} runs on a 768x1024 tablet viewport (Chromium, gunicorn, SQLite demo)")
    print(f"  taps: {taps}  (budget: no more than 10)")
    print(f"  browser and server time: median {statistics.median(seconds):.2f} s, worst {seconds[-1]:.2f} s")
    print(
        f"  estimated time for a practised person (Keystroke-Level Model, {len(NOTE)}-character note): "
        f"{estimate:.0f} s  (budget: under 60 s)"
    )


if __name__ == "__main__":
    main()
