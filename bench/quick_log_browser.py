"""Taps, key presses and time of logging a session in real Chromium, against a running server with the demo loaded.

Usage:  .venv/bin/python bench/quick_log_browser.py [--runs 10]

Starts its own server on a throw-away SQLite database, logs in as the demo practitioner and logs, again and again:
  1. the common case, from the home page: "Log a session with <the person last seen>", "Same as last time" (the
     Fundamentals of their previous session), the "Lots" face, "Natural end", "Save session"; the usual length and
     the start (it has just finished) are preselected;
  2. the same with one behaviour marked "Never seen before" and a one-line note.
Prints, for each, the taps and key presses (every key pressed on the pages, counted in the browser), the time the
browser and server took (nothing waits for a person), and an estimate of a practised person's time using the
Keystroke-Level Model (a tap ≈ 1.1 s to point and touch, typing on a tablet ≈ 0.35 s a character, plus 1.35 s of
thinking before each choice).
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
NEW_THINGS = [
    "Reached for the light switch",
    "Hummed two notes back to me",
    "Tapped the window three times",
    "Held my hand and swayed",
    "Looked back to check I was there",
    "Passed me the blue cup",
    "Laughed when I paused",
    "Stamped in time with my clap",
    "Leaned against my shoulder",
    "Made a new click sound",
]
TAP_SECONDS, CHAR_SECONDS, THINK_SECONDS = 1.1, 0.35, 1.35
# Every key pressed on any page of the tab, kept in the tab's sessionStorage across pages.
COUNT_KEYS = """document.addEventListener("keydown", () => {
  sessionStorage.setItem("keys", String(Number(sessionStorage.getItem("keys") || 0) + 1));
}, true);"""


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


def log_one(page, base: str, new_thing: str | None) -> tuple[int, int, float]:
    """One session logged from the home page; with `new_thing`, also a behaviour never seen before and a note.
    Returns the taps, the key presses and the seconds the browser and server took."""
    taps = 0

    def tap(locator):
        nonlocal taps
        locator.click()
        taps += 1

    page.goto(f"{base}/")
    page.evaluate("sessionStorage.setItem('keys', '0')")
    started = time.perf_counter()
    tap(page.locator(".log-with-first"))
    page.wait_for_url(re.compile(r"/log/\d+/$"))
    if page.locator("#same-as-last-time").count():  # shown by the page's script once it has run
        tap(page.get_by_role("button", name=re.compile("^Same as last time")))
    else:  # their previous session had no Fundamentals: tap two
        tap(page.locator("input[name=fundamentals] + span").nth(0))
        tap(page.locator("input[name=fundamentals] + span").nth(1))
    tap(page.get_by_label("Lots", exact=True))
    tap(page.get_by_label("Natural end", exact=True))
    if new_thing:
        tap(page.get_by_label("Behaviour", exact=True))
        page.keyboard.type(new_thing)
        tap(page.get_by_label("Never seen before", exact=True))
        tap(page.get_by_label(re.compile("^What happened")))
        page.keyboard.type(NOTE)
    tap(page.get_by_role("button", name="Save session"))
    page.wait_for_url(re.compile(r"/timeline/$"))
    seconds = time.perf_counter() - started
    return taps, page.evaluate("Number(sessionStorage.getItem('keys') || 0)"), seconds


def report(title: str, results: list[tuple[int, int, float]], characters: int) -> None:
    taps, keys = max(r[0] for r in results), max(r[1] for r in results)
    seconds = sorted(r[2] for r in results)
    estimate = taps * (TAP_SECONDS + THINK_SECONDS) + characters * CHAR_SECONDS
    print(f"  {title}")
    print(f"    taps: {taps}   key presses: {keys}   (the most in any run)")
    print(f"    browser and server time: median {statistics.median(seconds):.2f} s, worst {seconds[-1]:.2f} s")
    print(f"    estimated time for a practised person (Keystroke-Level Model): {estimate:.0f} s")


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
                page.context.add_init_script(COUNT_KEYS)  # from here on, every key pressed is counted
                common = [log_one(page, base, None) for _ in range(args.runs)]
                noted = [log_one(page, base, NEW_THINGS[i % len(NEW_THINGS)]) for i in range(args.runs)]
                browser.close()
        finally:
            server.terminate()
            server.wait()
    print(f"Quick log, {args.runs} runs of each on a 768x1024 tablet viewport (Chromium, gunicorn, SQLite demo)")
    report("1. the common case (budget: at most 5 taps, no typing, under 20 s)", common, 0)
    typed = len(NEW_THINGS[0]) + len(NOTE)
    report(f"2. with one behaviour never seen before and a one-line note (about {typed} characters)", noted, typed)


if __name__ == "__main__":
    main()
