"""Security headers on every response, and API docs that load nothing from elsewhere (DESIGN §5).

The browser app keeps its bearer token in sessionStorage, so an injected script would own the
session: the Content-Security-Policy allows scripts only from this server's files.
"""

import base64
import hashlib
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from api.core.settings import get_settings
from api.main import create_app

PROTECTIVE = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


def directives(headers: Mapping[str, str]) -> dict[str, list[str]]:
    policy = headers["content-security-policy"]
    found = {}
    for part in policy.split(";"):
        name, *values = part.split()
        found[name] = values
    return found


def assert_protected(headers: Mapping[str, str]) -> None:
    policy = directives(headers)
    assert policy["script-src"] == ["'self'"], policy
    assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
    assert policy["default-src"] == ["'self'"] and policy["base-uri"] == ["'none'"]
    assert not any("unsafe" in v for values in policy.values() for v in values), policy
    for name, value in PROTECTIVE.items():
        assert headers.get(name) == value, name


class Page(HTMLParser):
    """The scripts, styles and links of an HTML page."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.inline_scripts = 0
        self.style_blocks: list[str] = []
        self.style_attributes = 0
        self._in: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]
        self.style_attributes += "style" in found
        if tag == "script" and not found.get("src"):
            self.inline_scripts += 1
        self._in = tag

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.style_blocks.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in = None


class TestHeaders:
    @pytest.mark.parametrize(
        "path", ["/health", "/api/v1/indicators", "/api/v1/nothing-here", "/docs", "/"]
    )
    def test_every_kind_of_response_is_protected(self, anon: TestClient, path: str) -> None:
        assert_protected(anon.get(path).headers)

    def test_json_and_problems_too(self, client: TestClient, anon: TestClient) -> None:
        assert_protected(client.get("/api/v1/me").headers)
        unauthorised = anon.get("/api/v1/me")
        assert unauthorised.status_code == 401
        assert_protected(unauthorised.headers)

    def test_no_hsts_over_plain_http(self, anon: TestClient) -> None:
        assert "strict-transport-security" not in anon.get("/health").headers

    def test_hsts_over_https(self, app: FastAPI, db: Connection) -> None:
        secure = TestClient(app, base_url="https://testserver")
        assert secure.get("/health").headers["strict-transport-security"].startswith("max-age=")

    def test_hsts_when_a_trusted_proxy_says_https(
        self, monkeypatch: pytest.MonkeyPatch, db: Connection
    ) -> None:
        monkeypatch.setattr(get_settings(), "trusted_proxies", ["10.0.0.0/8"])
        app = create_app()
        https = {"X-Forwarded-Proto": "https"}
        proxy = TestClient(app, client=("10.0.0.2", 1234))
        assert "strict-transport-security" in proxy.get("/health", headers=https).headers
        stranger = TestClient(app, client=("203.0.113.5", 1234))
        assert "strict-transport-security" not in stranger.get("/health", headers=https).headers

    def test_the_spa_is_protected(
        self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, db: Connection
    ) -> None:
        (tmp_path / "index.html").write_text(
            '<!doctype html><script type="module" src="/assets/app.js"></script>'
        )
        monkeypatch.setattr(get_settings(), "frontend_dist", str(tmp_path))
        spa = TestClient(create_app())
        for path in ("/", "/partnerships/1"):  # a client-side route falls back to index.html
            r = spa.get(path)
            assert r.status_code == 200 and "app.js" in r.text
            assert_protected(r.headers)


class TestDocs:
    def test_docs_reference_only_local_assets(self, anon: TestClient) -> None:
        r = anon.get("/docs")
        assert r.status_code == 200 and "text/html" in r.headers["content-type"]
        page = Page(r.text)
        assert page.inline_scripts == 0 and not page.style_blocks and not page.style_attributes
        assert page.urls, "the page loads Swagger UI"
        for url in page.urls:
            assert url.startswith("/") and not url.startswith("//"), url
        assert "cdn" not in r.text.lower()

    def test_the_assets_are_served(self, anon: TestClient) -> None:
        page = Page(anon.get("/docs").text)
        kinds = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}
        served = {}
        for url in page.urls:
            r = anon.get(url)
            assert r.status_code == 200, url
            assert r.headers["content-type"].startswith(kinds[Path(url).suffix]), url
            assert "immutable" in r.headers["cache-control"]
            served[Path(url).name] = r.content
        assert b"SwaggerUIBundle" in served["swagger-ui-bundle.js"]
        assert b"/api/v1/openapi.json" in anon.get("/docs").content
        assert b".swagger-ui" in served["swagger-ui.css"]
        assert b"SwaggerUIBundle(" in served["docs.js"]

    def test_nothing_else_is_served_from_the_bundle(self, anon: TestClient) -> None:
        url = next(u for u in Page(anon.get("/docs").text).urls if u.endswith(".css"))
        base = url.rsplit("/", 1)[0]
        for name in ("index.html", "swagger-initializer.js", "../../../settings.py"):
            assert anon.get(f"{base}/{name}").status_code == 404, name
        assert anon.get("/docs/assets/0.0.1/swagger-ui.css").status_code == 404

    def test_redoc_from_a_cdn_is_gone(self, anon: TestClient) -> None:
        assert anon.get("/redoc").status_code == 404


class TestReportPrintView:
    def test_its_inline_styles_are_allowed_by_hash_and_nothing_else(
        self, client: TestClient
    ) -> None:
        partnership = client.get("/api/v1/partnerships", params={"limit": 1}).json()["items"][0]
        r = client.get(f"/api/v1/partnerships/{partnership['id']}/performance-report.html")
        assert r.status_code == 200
        page = Page(r.text)
        assert page.inline_scripts == 0 and page.style_attributes == 0
        (style,) = page.style_blocks
        digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
        policy = directives(r.headers)
        assert policy["style-src"] == ["'self'", f"'sha256-{digest}'"]
        assert policy["script-src"] == ["'self'"]
        assert re.search(r"@page \{ size: A4 landscape", style)
