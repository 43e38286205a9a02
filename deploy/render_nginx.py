"""Render deploy/nginx.conf.template: python deploy/render_nginx.py OUT_DIR (values from env).

Env: NGINX_LISTEN_PORT (8000), NGINX_RASA_PORT (5100), APP_PORTS ("8001"), RASA_PORTS ("5005 5006").
Standard library only, so any Python runs it. Writes OUT_DIR/nginx.conf and prints its path.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
TEMP_DIRS = ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")


def servers(ports: str, fail_timeout: str) -> str:
    # max_fails=1: one refused connection takes a dead replica out for fail_timeout.
    return "\n        ".join(
        f"server 127.0.0.1:{port} max_fails=1 fail_timeout={fail_timeout};" for port in ports.split()
    )


def render(prefix: Path, listen_port: int, rasa_port: int, app_ports: str, rasa_ports: str) -> str:
    values = {
        "PREFIX": str(prefix),
        # As root, workers would drop to `nobody`, who cannot write the private temp dirs.
        "USER_DIRECTIVE": "user root;" if os.geteuid() == 0 else "",
        "LISTEN_PORT": str(listen_port),
        "RASA_LISTEN_PORT": str(rasa_port),
        "APP_SERVERS": servers(app_ports, "2s"),
        "RASA_SERVERS": servers(rasa_ports, "5s"),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{{" + name + "}}", value)
    if "{{" in text:
        raise ValueError("unfilled placeholder in nginx template")
    return text


def write_config(prefix: Path, **kwargs) -> Path:
    prefix.mkdir(parents=True, exist_ok=True)
    for name in TEMP_DIRS:
        (prefix / name).mkdir(exist_ok=True)
    path = prefix / "nginx.conf"
    path.write_text(render(prefix, **kwargs), encoding="utf-8")
    return path


def main() -> int:
    prefix = Path(sys.argv[1]).resolve()
    path = write_config(
        prefix,
        listen_port=int(os.environ.get("NGINX_LISTEN_PORT", "8000")),
        rasa_port=int(os.environ.get("NGINX_RASA_PORT", "5100")),
        app_ports=os.environ.get("APP_PORTS", "8001"),
        rasa_ports=os.environ.get("RASA_PORTS", "5005 5006"),
    )
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
