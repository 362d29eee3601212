"""The explorer's pages, in process: what they show, how they are cached, what they refuse."""

import re
from typing import Any

import pytest
from sqlmodel import Session, select

from app.db import bump_version, current_version
from app.models import Framework
from tests.conftest import DJANGO_STACK

PAGES = (
    "/",
    "/?view=table",
    "/frameworks/django",
    "/sources/ngo-flask-fastapi-django",
    "/compare?frameworks=django,flask,fastapi",
    "/matrix",
    "/benchmarks",
    "/recommend?use_case=cms",
)
TEN = "django,flask,fastapi,litestar,starlette,sanic,quart,falcon,pyramid,tornado"


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("url", PAGES)
def test_every_page_is_html_that_links_to_its_json(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    json_url = re.search(r'class="json" href="([^"]+)"', response.text)
    assert json_url is not None
    api = client.get(json_url.group(1).replace("&amp;", "&"))
    assert api.status_code == 200
    assert api.headers["content-type"].startswith("application/json")


@pytest.mark.parametrize("url", PAGES)
def test_pages_run_no_inline_code_under_a_strict_policy(client: Any, url: str) -> None:
    response = client.get(url)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in policy
    assert re.search(r"<script(?![^>]*\bsrc=)", response.text) is None
    assert " style=" not in response.text
    assert re.search(r"\son[a-z]+=", response.text) is None


def test_home_searches_and_filters_by_facets(client: Any) -> None:
    everything = text_of(client.get("/").text)
    assert "Django" in everything
    assert "Flask" in everything
    micro = client.get("/?language=python&classification=micro")
    shown = re.findall(r'<h3><a href="/frameworks/([a-z0-9-]+)">', micro.text)
    assert "flask" in shown
    assert "django" not in shown
    admin = client.get("/?supports=admin-panel")
    assert "django" in re.findall(r'href="/frameworks/([a-z0-9-]+)"', admin.text)
    assert 'value="admin-panel" selected' in admin.text
    found = client.get("/?q=asyncio").text
    assert "aiohttp" in re.findall(r'<h3><a href="/frameworks/([a-z0-9-]+)">', found)
    assert "django" not in re.findall(r'<h3><a href="/frameworks/([a-z0-9-]+)">', found)
    assert 'value="asyncio"' in found  # the search box keeps what was searched


def test_framework_page_shows_attributes_with_sources_and_support(client: Any) -> None:
    page = client.get("/frameworks/django").text
    assert "<h1>Django</h1>" in page
    assert 'href="/sources/django-repository"' in page  # the licence's source
    assert "BSD-3-Clause" in page
    for section in ("Pros and cons", "Use cases", "Adopters", "Support", "Benchmarks"):
        assert f">{section}</h2>" in page
    assert 'class="lv lv-built_in"' in page
    assert "Mozilla" in page


def test_unknown_slug_is_an_html_404_with_suggestions(client: Any) -> None:
    response = client.get("/frameworks/djang")
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "No framework has the slug" in response.text
    assert '<a href="django">django</a>' in response.text
    capitals = client.get("/frameworks/Django")
    assert capitals.status_code == 404
    assert '<a href="django">django</a>' in capitals.text
    source = client.get("/sources/nowhere-at-all")
    assert source.status_code == 404
    assert "No source has the slug" in source.text


def test_compare_puts_differing_rows_first_and_offers_a_picker(client: Any) -> None:
    page = client.get("/compare?frameworks=django,flask").text
    for table in page.split("<table")[1:3]:  # attributes, then support
        flags = [bool(r) for r in re.findall(r'<tr( class="differs")?><th scope="row">', table)]
        assert True in flags
        assert False in flags
        assert flags == sorted(flags, reverse=True)
    assert 'name="frameworks" value="fastapi">' in page  # offered, not chosen
    assert 'name="frameworks" value="django" checked' in page
    assert 'href="/compare?frameworks=flask"' in page  # removing Django


def test_compare_with_an_unknown_slug_names_it(client: Any) -> None:
    response = client.get("/compare?frameworks=django,nosuch")
    assert response.status_code == 400
    assert "nosuch" in text_of(response.text)
    assert 'name="frameworks"' in response.text  # the picker stays usable


def test_recommend_cms_ranks_the_django_stack_first_with_reasons(client: Any) -> None:
    page = client.get("/recommend?use_case=cms").text
    ranked = re.findall(r'<span>\d+\.</span> <a href="/frameworks/([a-z0-9-]+)">', page)
    api = client.post("/api/v1/recommendations", json={"use_case": "cms"}).json()
    assert ranked == [r["framework"] for r in api["results"]]
    assert ranked[0] in DJANGO_STACK
    admin = next(b for b in api["results"][0]["breakdown"] if b["criterion"] == "admin")
    assert f"Admin panel ({admin['contribution']:.1f} points)" in page
    assert "How firm is this?" in page
    assert 'value="cms" selected' in page
    assert re.search(r'name="admin" min="0" max="5" step="1" value="5"', page)


def test_recommend_keeps_to_the_languages_ticked(client: Any) -> None:
    page = client.get("/recommend?basis=&languages=go&languages=rust&allow_extensions=true").text
    ranked = re.findall(r'<span>\d+\.</span> <a href="/frameworks/([a-z0-9-]+)">', page)
    api = client.get("/api/v1/recommendations?languages=go,rust").json()
    assert ranked == [r["framework"] for r in api["results"]]
    assert {r["language"] for r in api["results"]} <= {"go", "rust"}
    assert 'name="languages" value="go" checked' in page
    assert 'name="languages" value="python" checked' not in page
    assert "written in Python, not an accepted language" in page


def test_recommend_form_state_round_trips_through_the_url(client: Any) -> None:
    # The sliders and lists the form sends for the preset it was drawn for are honoured.
    page = client.get(
        "/recommend?basis=&use_case=&performance=5&api_docs=4&must_have=openapi-docs"
        "&allow_extensions=true"
    ).text
    assert re.search(r'name="performance" min="0" max="5" step="1" value="5"', page)
    assert 'name="must_have" value="openapi-docs" checked' in page
    # A changed preset replaces the old preset's fields with its own.
    switched = client.get("/recommend?basis=cms&use_case=prototype&admin=5").text
    assert 'value="prototype" selected' in switched
    assert not re.search(r'name="admin" min="0" max="5" step="1" value="5"', switched)


def test_matrix_links_to_its_csv_and_filters(client: Any) -> None:
    page = client.get("/matrix?frameworks=django,flask&category=data").text
    assert (
        'href="/api/v1/matrix?frameworks=django%2Cflask&amp;category=data&amp;format=csv"' in page
    )
    heads = re.findall(r'<th scope="col" class="fw"><a href="/frameworks/([a-z0-9-]+)">', page)
    assert heads == ["django", "flask"]
    assert "<span>Data</span></th>" in page


def test_pages_are_cached_with_etags_304s_and_compression(client: Any, session: Session) -> None:
    row = current_version(session)
    plain = client.get("/frameworks/flask", headers={"accept-encoding": "identity"})
    packed = client.get("/frameworks/flask", headers={"accept-encoding": "br"})
    assert plain.headers["etag"].startswith(f'"v{row.version}.{row.dataset_id[:12]}-')
    assert packed.headers["content-encoding"] == "br"
    assert packed.headers["etag"] != plain.headers["etag"]
    assert int(packed.headers["content-length"]) < len(plain.content) / 3
    again = client.get(
        "/frameworks/flask",
        headers={"if-none-match": plain.headers["etag"], "accept-encoding": "identity"},
    )
    assert again.status_code == 304
    assert again.content == b""
    assert client.get("/frameworks/flask").content == plain.content  # same bytes


def test_a_data_change_changes_the_page_and_every_value_is_escaped(
    client: Any, session: Session
) -> None:
    before = client.get("/frameworks/flask")
    flask = session.exec(select(Framework).where(Framework.slug == "flask")).one()
    flask.description = '<script>alert("x")</script> & more'
    session.add(flask)
    bump_version(session, "test")
    session.commit()  # inside the test's outer transaction: rolled back afterwards
    after = client.get("/frameworks/flask", headers={"if-none-match": before.headers["etag"]})
    assert after.status_code == 200
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; more" in after.text
    assert "<script>alert" not in after.text


def test_docs_stay_static_while_pages_follow_the_dataset(client: Any) -> None:
    assert client.get("/docs").headers["etag"].startswith('"v0.static-')
    assert not client.get("/").headers["etag"].startswith('"v0.static-')


def test_assets_are_fingerprinted_and_served_by_the_app(client: Any) -> None:
    page = client.get("/").text
    for url in re.findall(r'(?:href|src)="(/explorer-assets/[^"]+)"', page):
        asset = client.get(url)
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(("text/css", "text/javascript", "image/"))
    assert client.get("/explorer-assets/explorer.css").status_code == 404


@pytest.mark.parametrize("url", [*PAGES, f"/compare?frameworks={TEN}"])
def test_every_page_is_under_100_kb_compressed(client: Any, url: str) -> None:
    response = client.get(url, headers={"accept-encoding": "br"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "br"
    assert int(response.headers["content-length"]) < 100_000


def test_the_heat_map_of_100_frameworks_stays_a_light_page() -> None:
    from app.asgi.cache import COMPRESSORS
    from app.explorer.render import ENV, LEVELS

    levels = list(LEVELS)
    frameworks = [{"slug": f"framework-{i}", "name": f"Framework {i}"} for i in range(100)]
    rows = [
        {
            "feature": f"feature-{j}",
            "name": f"Feature number {j}",
            "category": f"category-{j // 4}",
            "cells": {f["slug"]: {"level": levels[(i * j) % 5]} for i, f in enumerate(frameworks)},
        }
        for j in range(44)
    ]
    groups = [
        (f"category-{k}", f"Category {k}", [r for r in rows if r["category"] == f"category-{k}"])
        for k in range(11)
    ]
    html = (
        ENV.get_template("matrix.html")
        .render(
            data={"frameworks": frameworks, "rows": rows},
            groups=groups,
            categories=[],
            names={f["slug"]: f["name"] for f in frameworks},
            chosen=[],
            chosen_categories=[],
            json_url="/api/v1/matrix",
            csv_url="/api/v1/matrix?format=csv",
        )
        .encode()
    )
    assert html.count(b'<td class="lv-') == 4400
    assert len(COMPRESSORS["br"](html)) < 100_000


def test_a_page_read_across_two_dataset_versions_is_read_again() -> None:
    import anyio
    from starlette.types import Receive, Scope, Send

    from app.db import Stamp
    from app.explorer.client import Api, Torn

    tags = iter(["v1.abc", "v2.abc", "v2.abc", "v2.abc"])

    async def api(scope: Scope, receive: Receive, send: Send) -> None:
        etag = f'"{next(tags)}-0123"'.encode()
        headers = [(b"content-type", b"application/json"), (b"etag", etag)]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": b"{}"})

    async def read() -> tuple[bool, Stamp]:
        async with Api(api) as first:
            await first.get("/api/v1/meta")
            try:
                await first.get("/api/v1/frameworks")
            except Torn:
                torn = True
        async with Api(api) as again:
            await again.get("/api/v1/meta")
            await again.get("/api/v1/frameworks")
        return torn, again.stamp(Stamp("abc", 1))

    torn, stamp = anyio.run(read)
    assert torn
    assert stamp.tag == "v2.abc"  # stored under the version it shows, not the clock's
