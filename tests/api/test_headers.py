"""Security headers on every HTML page, and pages that work under their CSP: no inline script
or style, nothing loaded from another host; /docs from local assets."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from api.headers import PAGE_CSP

PAGES = ["/", "/agent", "/guide/open-restaurant", "/guide/no-such-item", "/docs"]


@pytest.fixture
def client(make_client, fake_rasa):
    return make_client(rasa=fake_rasa)


class InlineFinder(HTMLParser):
    """Collects what a strict CSP would block: inline scripts, <style>, style= and on*= attributes,
    and any script, style or image from another host."""

    def __init__(self) -> None:
        super().__init__()
        self.blocked: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in attrs:
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=>")
        if tag == "style":
            self.blocked.append("<style>")
        if tag == "script" and not attrs.get("src"):
            self._in_script = True
        for name in ("src", "href"):
            value = attrs.get(name) or ""
            if tag in ("script", "link", "img") and re.match(r"^(https?:)?//", value):
                self.blocked.append(f"<{tag} {name}={value}>")

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.blocked.append("inline <script>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False


@pytest.mark.parametrize("path", PAGES)
def test_every_html_page_carries_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "no-referrer"


@pytest.mark.parametrize("path", ["/", "/agent", "/guide/open-restaurant", "/guide/no-such-item"])
def test_the_pages_need_nothing_their_csp_forbids(client, path):
    assert client.get(path).headers["content-security-policy"] == PAGE_CSP
    finder = InlineFinder()
    finder.feed(client.get(path).text)
    assert finder.blocked == []


def test_the_agent_page_refusal_has_the_headers_too(make_client, fake_rasa):
    client = make_client(rasa=fake_rasa, agent_token="agent-token-for-header-test")
    response = client.get("/agent")
    assert response.status_code == 401 and response.headers["content-security-policy"] == PAGE_CSP


def test_every_answer_names_the_app_process_that_served_it(client, make_client, fake_rasa):
    """Behind a load balancer, X-Served-By tells the workers apart (tests/production): the same
    process gives the same name, another app process another; the name holds nothing but its pid
    and a random suffix."""
    import os

    names = {client.get(path).headers["x-served-by"] for path in ("/health/live", "/", "/api/takeover/web-h")}
    assert len(names) == 1
    name = names.pop()
    assert re.fullmatch(rf"{os.getpid()}-[0-9a-f]{{4}}", name)
    other = make_client(rasa=fake_rasa).get("/health/live").headers["x-served-by"]
    assert other != name


def test_json_answers_get_nosniff_but_no_page_policy(client):
    response = client.post("/api/chat", json={"sender_id": "web-h", "message": "身份证"})
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "content-security-policy" not in response.headers


def test_docs_load_swagger_ui_from_the_app_not_a_cdn(client):
    page = client.get("/docs").text
    finder = InlineFinder()
    finder.feed(page)
    assert finder.blocked == []  # no inline script, nothing from another host
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert any(a.endswith("swagger-ui-bundle.js") for a in assets)
    for asset in assets:
        assert asset.startswith("/"), asset
        response = client.get(asset)
        assert response.status_code == 200 and len(response.content) > 100, asset
    assert client.get("/redoc").status_code == 404  # ReDoc would load from a CDN
    assert client.get("/openapi.json").status_code == 200


def test_the_widget_styles_itself_without_an_inline_style_element_where_it_can():
    from pathlib import Path

    widget = (Path(__file__).resolve().parents[2] / "api" / "static" / "widget.js").read_text(encoding="utf-8")
    assert "adoptedStyleSheets" in widget and "replaceSync(CSS)" in widget
