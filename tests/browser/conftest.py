"""A real headless Chromium (Debian's package) driven by Playwright, for the map tests.

The browser is installed with apt when missing and we are root; otherwise the
tests skip and say why. Playwright's own browser download is never used.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
PACKAGES = ["chromium", "chromium-driver", "fonts-noto-cjk"]
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
APT_TIMEOUT = 900  # seconds, for update and install each


def _install_chromium() -> str | None:
    """Install the Debian packages; return why it failed, or None."""
    if shutil.which("apt-get") is None:
        return "Chromium is not installed and apt-get is not available"
    if os.geteuid() != 0:
        return "Chromium is not installed and installing it needs root (apt-get install " + " ".join(PACKAGES) + ")"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", *PACKAGES]):
        try:
            done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=APT_TIMEOUT)
        except subprocess.TimeoutExpired:
            return f"{' '.join(command)} took more than {APT_TIMEOUT} s"
        if done.returncode != 0:
            return f"{' '.join(command)} failed: {done.stderr.strip()[-300:]}"
    return None


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        reason = _install_chromium()
        if reason or not CHROMIUM.exists():
            pytest.skip(reason or f"{CHROMIUM} still missing after installing {' '.join(PACKAGES)}")
    return CHROMIUM


@pytest.fixture(scope="session")
def browser(chromium_path):
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e .[test])")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@dataclass
class Watch:
    """What a page did that it should not: network requests, console errors, script errors, dialogs."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        assert self.requests == [], f"network requests: {self.requests}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"script errors: {self.page_errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"


def _local(url: str) -> bool:
    return url.startswith(("file:", "data:", "blob:", "about:"))


def wait_until(page, predicate: str, timeout: float = 60.0) -> None:
    """Poll a JS function until it returns true. (Playwright's wait_for_function evaluates
    strings with eval, which the map's Content-Security-Policy rightly forbids.)"""
    deadline = time.monotonic() + timeout
    while not page.evaluate(predicate):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout} s: {predicate}")
        time.sleep(0.05)


@pytest.fixture
def open_map(browser):
    """``open_map(path, bypass_csp=False)`` loads a map in a fresh page whose every non-local
    request is refused and recorded, waits until vis-network has drawn it, and returns
    (page, watch). ``bypass_csp=True`` switches off the page's Content-Security-Policy, to
    show the escaping alone keeps scripts out."""
    contexts = []

    def load(path: Path, *, bypass_csp: bool = False, timeout: float = 60.0):
        context = browser.new_context(viewport={"width": 1400, "height": 850}, service_workers="block",
                                      bypass_csp=bypass_csp)
        contexts.append(context)
        watch = Watch()

        def route(route_):
            if _local(route_.request.url):
                route_.continue_()
            else:
                watch.requests.append(route_.request.url)
                route_.abort()

        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda r: None if _local(r.url) else watch.requests.append(r.url))
        page.on("console", lambda m: watch.console_errors.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: watch.page_errors.append(str(e)))

        def on_dialog(dialog):
            watch.dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.on("websocket", lambda ws: watch.requests.append(ws.url))
        page.goto(Path(path).resolve().as_uri())
        wait_until(page, "() => !!(window.lianjianMap && window.lianjianMap.drawn)", timeout)
        return page, watch

    yield load
    for context in contexts:
        context.close()
