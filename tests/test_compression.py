"""Answers are compressed once, when stored, in each coding a client may ask for."""

import gzip
from typing import Any

import brotli
import pytest

from app.asgi.negotiation import coding, media_type
from tests.conftest import DJANGO_STACK

MATRIX = "/api/v1/matrix"


@pytest.mark.parametrize(
    ("encoding", "decompress"), [("gzip", gzip.decompress), ("br", brotli.decompress)]
)
def test_a_large_answer_is_sent_compressed_with_its_own_etag(
    client: Any, encoding: str, decompress: Any
) -> None:
    plain = client.get(MATRIX, headers={"Accept-Encoding": "identity"})
    packed = client.get(MATRIX, headers={"Accept-Encoding": encoding})
    assert "content-encoding" not in plain.headers
    assert packed.headers["content-encoding"] == encoding
    with client.stream("GET", MATRIX, headers={"Accept-Encoding": encoding}) as stream:
        raw = b"".join(stream.iter_raw())
    assert decompress(raw) == plain.content
    assert len(raw) == int(packed.headers["content-length"])
    assert int(packed.headers["content-length"]) < len(plain.content) // 4
    assert packed.headers["etag"] != plain.headers["etag"]
    assert packed.headers["etag"].startswith(plain.headers["etag"][:-1])
    assert "Accept-Encoding" in packed.headers["vary"]


def test_each_coding_revalidates_against_its_own_etag(client: Any) -> None:
    gz = client.get(MATRIX, headers={"Accept-Encoding": "gzip"})
    plain = client.get(MATRIX, headers={"Accept-Encoding": "identity"})
    same = client.get(
        MATRIX, headers={"Accept-Encoding": "gzip", "If-None-Match": gz.headers["etag"]}
    )
    other = client.get(
        MATRIX, headers={"Accept-Encoding": "gzip", "If-None-Match": plain.headers["etag"]}
    )
    assert same.status_code == 304
    assert same.headers["etag"] == gz.headers["etag"]
    assert other.status_code == 200  # the identity tag does not validate the gzip answer
    assert other.headers["content-encoding"] == "gzip"


def test_head_matches_get_for_a_compressed_answer(client: Any) -> None:
    get = client.get(MATRIX, headers={"Accept-Encoding": "gzip"})
    head = client.head(MATRIX, headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200
    assert head.content == b""
    for name in ("etag", "content-encoding", "content-length", "vary"):
        assert head.headers[name] == get.headers[name]


def test_the_compressed_bytes_are_the_same_every_time(client: Any) -> None:
    first = client.get(MATRIX, headers={"Accept-Encoding": "gzip"})
    client.app.cache.store.clear()
    second = client.get(MATRIX, headers={"Accept-Encoding": "gzip"})
    assert first.headers["etag"] == second.headers["etag"]
    assert first.headers["content-length"] == second.headers["content-length"]


def test_small_answers_are_not_compressed(client: Any) -> None:
    response = client.get("/api/v1/frameworks/nope", headers={"Accept-Encoding": "gzip"})
    assert len(response.content) < 1024
    assert "content-encoding" not in response.headers
    health = client.get("/readyz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in health.headers


def test_an_uncached_answer_is_compressed_too(client: Any) -> None:
    response = client.post(
        "/api/v1/recommendations", json={"use_case": "cms"}, headers={"Accept-Encoding": "gzip"}
    )
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    plain = client.post("/api/v1/recommendations", json={"use_case": "cms"})
    assert response.json() == plain.json()
    assert response.json()["results"][0]["framework"] in DJANGO_STACK


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ([], "identity"),
        ([b"gzip"], "gzip"),
        ([b"gzip, br"], "br"),
        ([b"br;q=0.5, gzip"], "gzip"),
        ([b"gzip;q=0"], "identity"),
        ([b"identity;q=1, gzip;q=0.5"], "identity"),
        ([b"*"], "br"),
        ([b"*;q=0, identity"], "identity"),
        ([b"deflate"], "identity"),
        ([b"gzip;q=0", b"br"], "br"),
    ],
)
def test_the_content_coding_follows_q_values(header: list[bytes], expected: str) -> None:
    assert coding(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ([], "application/json"),
        ([b"*/*"], "application/json"),
        ([b"text/csv"], "text/csv"),
        ([b"text/csv", b"application/json"], "application/json"),
        ([b"application/json;q=0.1", b"text/csv"], "text/csv"),
        ([b"text/csv;q=0"], None),
        ([b"application/problem+json"], "application/json"),
        ([b"text/csv;q=oops, application/json"], "application/json"),
    ],
)
def test_the_media_type_follows_q_values(header: list[bytes], expected: str | None) -> None:
    assert media_type(header, ("application/json", "text/csv")) == expected
