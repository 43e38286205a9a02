"""deploy/render_nginx.py: the rendered configuration of the production shape."""
from __future__ import annotations

import re
from pathlib import Path

from deploy.render_nginx import render

ROOT = Path(__file__).resolve().parents[2]
SERVERS_KEEP_ALIVE = 5  # seconds: uvicorn's --timeout-keep-alive (deploy/systemd) and Rasa's Sanic default


def _upstreams(text: str) -> dict[str, str]:
    return {name: body for name, body in re.findall(r"upstream (\w+) \{(.*?)\}", text, flags=re.S)}


def test_every_server_is_rendered_into_its_upstream(tmp_path):
    text = render(tmp_path, listen_port=8000, rasa_port=5100, app_ports="8001 8002", rasa_ports="5005 5006")
    upstreams = _upstreams(text)
    assert set(upstreams) == {"wyc_app", "wyc_rasa"}
    assert upstreams["wyc_app"].count("server 127.0.0.1:800") == 2
    assert upstreams["wyc_rasa"].count("server 127.0.0.1:500") == 2
    assert "{{" not in text


def test_idle_upstream_connections_close_before_the_servers_close_them(tmp_path):
    """nginx must not send a request on a kept-alive connection the app or Rasa is closing: a chat
    POST failed so is not retried. Its idle timeout stays under the servers' keep-alive."""
    text = render(tmp_path, listen_port=8000, rasa_port=5100, app_ports="8001", rasa_ports="5005")
    unit = (ROOT / "deploy" / "systemd" / "wyc-app.service").read_text(encoding="utf-8")
    assert f"--timeout-keep-alive {SERVERS_KEEP_ALIVE}" in unit
    for name, body in _upstreams(text).items():
        found = re.search(r"keepalive_timeout (\d+)s;", body)
        assert found is not None, name
        assert int(found.group(1)) < SERVERS_KEEP_ALIVE, name
