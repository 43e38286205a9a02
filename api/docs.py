"""``/docs``: Swagger UI from files installed with the app (PyPI ``fastapi-offline``), not a CDN.

An intranet without the internet still shows the API documentation. FastAPI's own ``/docs`` and
``/redoc`` load their scripts from a public CDN and start Swagger UI with an inline script; both
are turned off in ``create_app`` and replaced by this page, whose start-up script is
``/static/swagger-init.js``.
"""
from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

# Swagger UI 5 (swagger-ui-bundle.js, swagger-ui.css, favicon.png), as fastapi-offline ships it.
SWAGGER_UI_DIR = Path(fastapi_offline.__file__).resolve().parent / "static"

ASSETS_PATH = "/docs-assets"


PAGE = """<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>{title} - 接口文档</title>
<link rel="stylesheet" href="{assets}/swagger-ui.css">
<link rel="icon" type="image/png" href="{assets}/favicon.png">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{assets}/swagger-ui-bundle.js"></script>
<script src="/static/swagger-init.js"></script>
</body>
</html>
"""


def install_docs(app: FastAPI) -> None:
    """Mount Swagger UI's files and the ``/docs`` page (call with ``docs_url=None``)."""
    app.mount(ASSETS_PATH, StaticFiles(directory=SWAGGER_UI_DIR), name="docs-assets")
    page = PAGE.format(title=app.title, assets=ASSETS_PATH)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return HTMLResponse(page)
