"""Swagger UI and ReDoc in a real headless Chromium, with no request leaving the app."""

import json
import os
import shutil
import socket
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.browser

if not os.path.exists(CHROMIUM):
    if os.environ.get("CI"):
        raise RuntimeError("CI needs Debian's chromium for the browser tests (.ci/run installs it)")
    pytest.skip(
        "no chromium here: apt-get install chromium to run the browser tests",
        allow_module_level=True,
    )

from playwright.sync_api import Page, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def base_url(engine: Any) -> Iterator[str]:
    from app.main import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the app did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


class Traffic:
    """What a page tried to fetch, what came back, and what the browser blocked."""

    def __init__(self, page: Page, base_url: str) -> None:
        self.base_url = base_url
        self.attempted: list[str] = []
        self.answered: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        page.on("request", lambda r: self.attempted.append(r.url))
        page.on("response", lambda r: self.answered.append(r.url))
        page.on("requestfailed", lambda r: self.blocked.append(r.url))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))

    def outside(self, urls: list[str]) -> list[str]:
        return [u for u in urls if not u.startswith((self.base_url, "data:", "blob:"))]

    def assert_nothing_left_the_origin(self) -> None:
        assert self.outside(self.answered) == []
        # ReDoc 2 hard-codes a CDN logo; the page's CSP must stop it in the browser.
        assert set(self.outside(self.attempted)) <= set(self.blocked)


def watched(browser: Any, base_url: str) -> tuple[Page, Traffic]:
    page = browser.new_page()
    return page, Traffic(page, base_url)


def test_swagger_ui_runs_a_live_request_offline(browser: Any, base_url: str) -> None:
    page, traffic = watched(browser, base_url)
    page.goto(f"{base_url}/docs")
    operation = page.locator("#operations-frameworks-list_frameworks")
    operation.locator(".opblock-summary").click()
    operation.locator(".try-out__btn").click()
    operation.locator(".execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=15_000)
    assert status.inner_text().strip().startswith("200")
    body = json.loads(operation.locator(".live-responses-table .microlight").first.inner_text())
    with urllib.request.urlopen(f"{base_url}/api/v1/frameworks") as direct:
        assert body == json.loads(direct.read())  # the first page, as the API gives it
    assert body["total"] > len(body["items"]) > 0
    assert page.title() == "Framework Atlas - Swagger UI"
    assert traffic.attempted
    assert traffic.outside(traffic.attempted) == []
    assert [e for e in traffic.errors if "Content Security Policy" in e] == []
    page.close()


def test_redoc_renders_the_operations_offline(browser: Any, base_url: str) -> None:
    page, traffic = watched(browser, base_url)
    page.goto(f"{base_url}/redoc")
    heading = page.locator("h2", has_text="Get one framework, whole").first
    heading.wait_for(timeout=15_000)
    assert page.locator("h2", has_text="Compare 2 to 10 frameworks side by side").count() == 1
    assert page.locator("h1", has_text="Framework Atlas").count() == 1
    traffic.assert_nothing_left_the_origin()
    scripts_blocked = [e for e in traffic.errors if "script" in e and "Content Security" in e]
    assert scripts_blocked == []
    page.close()
