"""The interactive API docs (`/docs`, Swagger UI; `/redoc`, ReDoc), served with their
JavaScript and CSS from this process, and `/` pointing at them.

FastAPI's default pages load their assets from a CDN, so they are blank without
internet access and need a Content-Security-Policy open to a third party. Here the
assets come from the installed `fastapi-offline` package, the pages are FastAPI's own
(`get_swagger_ui_html`, `get_redoc_html`) pointed at them, and each page carries a CSP
that allows only this origin (and its own inline start-up script, by hash).
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib.resources import files
from pathlib import Path
from typing import Literal

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

router = APIRouter(include_in_schema=False)

ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
Asset = Literal["swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js", "favicon.png"]
# The files are versioned by the package; a day's caching spares the 2.7 MB on reloads.
ASSET_CACHE_CONTROL = "public, max-age=86400"

INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def _content_security_policy(html: str) -> str:
    """Only this origin; the page's inline scripts by their hashes. Both UIs style
    elements inline and ReDoc runs its search index in a blob: worker."""
    script_hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()}'"
        for body in INLINE_SCRIPT.findall(html)
    )
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'self' {script_hashes}".rstrip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "worker-src blob:",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors 'none'",
        )
    )


def _with_policy(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = _content_security_policy(bytes(page.body).decode())
    return page


def _prefix(request: Request) -> str:
    """Behind a proxy that mounts the API under a path (ROOT_PATH), links need it."""
    return str(request.scope.get("root_path", "")).rstrip("/")


@router.get("/")
async def root(request: Request) -> RedirectResponse:
    """A browser opening the backend's address lands on its documentation."""
    return RedirectResponse(f"{_prefix(request)}/docs")


@router.get("/docs")
async def swagger_ui(request: Request) -> HTMLResponse:
    prefix = _prefix(request)
    return _with_policy(
        get_swagger_ui_html(
            openapi_url=f"{prefix}{request.app.openapi_url}",
            title=f"{request.app.title} · API",
            swagger_js_url=f"{prefix}/docs/assets/swagger-ui-bundle.js",
            swagger_css_url=f"{prefix}/docs/assets/swagger-ui.css",
            swagger_favicon_url=f"{prefix}/docs/assets/favicon.png",
            # Keep the bearer token across reloads of the page while trying requests.
            swagger_ui_parameters={"persistAuthorization": True},
        )
    )


@router.get("/redoc")
async def redoc(request: Request) -> HTMLResponse:
    prefix = _prefix(request)
    return _with_policy(
        get_redoc_html(
            openapi_url=f"{prefix}{request.app.openapi_url}",
            title=f"{request.app.title} · API reference",
            redoc_js_url=f"{prefix}/docs/assets/redoc.standalone.js",
            redoc_favicon_url=f"{prefix}/docs/assets/favicon.png",
            with_google_fonts=False,
        )
    )


@router.get("/docs/assets/{name}")
async def docs_asset(name: Asset) -> FileResponse:
    """Only the named files: the path parameter is a closed set, never a path."""
    return FileResponse(ASSETS_DIR / name, headers={"Cache-Control": ASSET_CACHE_CONTROL})
