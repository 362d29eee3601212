"""The explorer in a real headless Chromium: every page, its forms, its accessibility.

Screenshots of each page land in tests/browser/screenshots/ (git-ignored) for a person to
look at; the assertions are what a user would notice.
"""

from pathlib import Path
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.test_docs import Traffic, base_url, browser, watched
from tests.conftest import DJANGO_STACK

__all__ = ["base_url", "browser"]  # the shared fixtures, used by name

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).parent / "screenshots"
PAGES = {
    "home": "/",
    "framework": "/frameworks/django",
    "source": "/sources/ngo-flask-fastapi-django",
    "compare": "/compare?frameworks=django,flask,fastapi",
    "matrix": "/matrix",
    "benchmarks": "/benchmarks",
    "recommend": "/recommend?use_case=cms",
    "not-found": "/frameworks/djang",
}
AXE = Axe()


def serious(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, as readable lines."""
    violations = AXE.run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['target']})"
        for v in violations
        if v["impact"] in ("serious", "critical")
    ]


def assert_clean(traffic: Traffic) -> None:
    assert traffic.errors == []
    assert traffic.outside(traffic.attempted) == []


@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_renders_clean_and_accessible(browser: Any, base_url: str, name: str) -> None:
    page, traffic = watched(browser, base_url)
    response = page.goto(base_url + PAGES[name])
    assert response is not None
    assert response.status == (404 if name == "not-found" else 200)
    assert page.locator("h1").count() == 1
    assert page.locator("header.site nav a").count() >= 5
    # The stylesheet applied (served by the app, allowed by the policy).
    background = page.locator("header.site").evaluate("e => getComputedStyle(e).backgroundColor")
    assert background == "rgb(16, 36, 62)"
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=name != "matrix")
    assert serious(page) == []
    if name == "not-found":  # the browser logs the page's own 404 status
        traffic.errors = [e for e in traffic.errors if "404 (Not Found)" not in e]
    assert_clean(traffic)
    page.close()


@pytest.mark.parametrize("name", ["home", "framework", "recommend", "matrix"])
def test_pages_fit_a_phone(browser: Any, base_url: str, name: str) -> None:
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(base_url + PAGES[name])
    # Wide tables scroll inside their own region; the page itself never scrolls sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.screenshot(path=str(SHOTS / f"{name}-phone.png"))
    page.close()


def test_search_and_facets_narrow_the_list(browser: Any, base_url: str) -> None:
    page, traffic = watched(browser, base_url)
    page.goto(base_url + "/")
    everything = page.locator(".card").count()
    page.get_by_label("Search names and descriptions").fill("async")
    page.get_by_role("group", name="Classification").get_by_label("Micro").check()
    page.get_by_role("button", name="Show frameworks").click()
    page.wait_for_url("**/?q=async*")
    names = page.locator(".card h3").all_inner_texts()
    assert 0 < len(names) < everything
    assert "Django" not in names
    assert "classification=micro" in page.url
    assert page.get_by_role("group", name="Classification").get_by_label("Micro").is_checked()
    page.get_by_role("link", name="table").click()
    assert page.locator("table.data tbody tr").count() == len(names)
    assert_clean(traffic)
    page.close()


def test_the_picker_builds_a_comparison(browser: Any, base_url: str) -> None:
    page, traffic = watched(browser, base_url)
    page.goto(base_url + "/compare")
    picker = page.get_by_role("group", name="Frameworks to compare (2 to 10)")
    picker.get_by_label("Django", exact=True).check()
    picker.get_by_label("Flask", exact=True).check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url("**/compare?frameworks=django&frameworks=flask")
    headers = page.locator("table.compare").first.locator("thead th").all_inner_texts()
    assert [h.split("\n")[0] for h in headers[1:]] == ["Django", "Flask"]
    assert page.locator("tr.differs").count() > 0
    picker.get_by_label("FastAPI", exact=True).check()
    page.get_by_role("button", name="Compare").click()
    page.wait_for_url(lambda url: "frameworks=fastapi" in url)
    page.get_by_role("link", name="Remove Flask").click()
    page.wait_for_url("**/compare?frameworks=django%2Cfastapi")
    headers = page.locator("table.compare").first.locator("thead th").all_inner_texts()
    assert [h.split("\n")[0] for h in headers[1:]] == ["Django", "FastAPI"]
    assert_clean(traffic)
    page.close()


def api_first(base_url: str, use_case: str) -> str:
    """The name the API ranks first for a preset: the page must show the same pick."""
    answer = httpx.post(f"{base_url}/api/v1/recommendations", json={"use_case": use_case})
    return str(answer.json()["results"][0]["name"])


def test_the_cms_preset_ranks_the_django_stack_first_with_its_reasons(
    browser: Any, base_url: str
) -> None:
    page, traffic = watched(browser, base_url)
    page.goto(base_url + "/recommend")
    page.get_by_label("Use case (a preset of priorities and features)").select_option("cms")
    page.get_by_role("button", name="Rank frameworks").click()
    page.wait_for_url("**use_case=cms*")
    first = page.locator(".result").first
    assert first.locator("h3 a").inner_text() == api_first(base_url, "cms")
    assert first.locator("h3 a").get_attribute("href") in {f"/frameworks/{s}" for s in DJANGO_STACK}
    reasons = first.locator(".reasons li").all_inner_texts()
    assert any(r.startswith("Admin panel (") for r in reasons)
    # The preset's weight is shown on its slider.
    assert page.get_by_role("slider", name="Admin").input_value() == "5"
    assert "top pick" in page.locator(".sensitivity").inner_text()
    # A slider's value is shown as it moves (the page's one script).
    slider = page.get_by_role("slider", name="Performance")
    slider.focus()
    page.keyboard.press("ArrowRight")
    assert page.locator("#o-performance").inner_text() == "1"
    page.screenshot(path=str(SHOTS / "recommend-cms.png"), full_page=True)
    assert_clean(traffic)
    page.close()


def test_keyboard_focus_is_visible(browser: Any, base_url: str) -> None:
    page = browser.new_page()
    page.goto(base_url + "/")
    page.keyboard.press("Tab")
    skip = page.locator("a.skip")
    assert skip.evaluate("e => e === document.activeElement")
    assert skip.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    page.close()


def test_the_forms_work_without_javascript(browser: Any, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/recommend")
    page.get_by_label("Use case (a preset of priorities and features)").select_option("cms")
    page.get_by_role("button", name="Rank frameworks").click()
    page.wait_for_url("**use_case=cms*")
    assert page.locator(".result h3 a").first.inner_text() == api_first(base_url, "cms")
    # Without the script the slider values are still written, by the server.
    assert page.locator("#o-admin").inner_text() == "5"
    page.goto(base_url + "/matrix")
    page.get_by_label("Categories").select_option("data")
    page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**category=data")
    assert page.locator("table.heatmap tr.category th").all_inner_texts() == ["Data"]
    context.close()
