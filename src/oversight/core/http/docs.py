"""The interactive documentation, served with its assets from a Python package
(``fastapi-offline`` ships Swagger UI and ReDoc): it works without internet and under a
Content-Security-Policy that allows no script but its own files and its one inline start-up
script, by hash. Without JavaScript each page says so and links the OpenAPI document, which
the page's head names too."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Awaitable, Callable
from importlib.resources import files

from fastapi import FastAPI
from fastapi.openapi.docs import (
    get_redoc_html,
    get_swagger_ui_html,
    get_swagger_ui_oauth2_redirect_html,
)
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

ASSETS = "/docs/assets"
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)
#: ReDoc styles itself with <style> elements it writes at run time.
_CSP = (
    "default-src 'none'; script-src 'self' {scripts}; style-src 'self'{styles}; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'"
)


OPENAPI = "/openapi.json"
#: ReDoc's menu shows Redocly's logo from a CDN, which the CSP blocks (an error in the console
#: on every load): the copy served here shows this service's icon instead.
REDOC_JS = f"{ASSETS}/redoc.standalone.js"
_REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
_NO_SCRIPT = re.compile(r"<noscript>.*?</noscript>\s*", re.DOTALL)
_WITHOUT_SCRIPT = (
    "<noscript><p>This page needs JavaScript. The API is described by its OpenAPI document, "
    f'<a href="{OPENAPI}">{OPENAPI}</a>.</p></noscript>'
)


def _page(response: HTMLResponse, *, inline_styles: bool = False) -> tuple[str, str]:
    """The page with ``lang`` set, what it says without JavaScript, a link to the OpenAPI
    document, and a CSP naming its inline scripts by hash."""
    html = bytes(response.body).decode().replace("<html>", '<html lang="en">', 1)
    html = _NO_SCRIPT.sub("", html)
    html = html.replace("<body>", f"<body>\n    {_WITHOUT_SCRIPT}", 1)
    link = f'<link rel="alternate" type="application/vnd.oai.openapi+json" href="{OPENAPI}">'
    html = html.replace("</head>", f"    {link}\n    </head>", 1)
    hashes = " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
        for s in _INLINE_SCRIPT.findall(html)
    )
    csp = _CSP.format(scripts=hashes, styles=" 'unsafe-inline'" if inline_styles else "")
    return html, csp


def install(app: FastAPI) -> None:
    """``/docs`` (Swagger UI), ``/docs/oauth2-redirect`` and ``/redoc``, for an app made with
    ``docs_url=None, redoc_url=None``."""
    static = files("fastapi_offline") / "static"
    # Before the mount: this one asset is served patched (its logo from this service).
    redoc_js = (static / "redoc.standalone.js").read_bytes()
    redoc_js = redoc_js.replace(_REDOC_LOGO.encode(), f"{ASSETS}/favicon.png".encode())
    app.add_api_route(
        REDOC_JS, _serve_bytes(redoc_js), include_in_schema=False, methods=["GET"], tags=["docs"]
    )
    app.mount(ASSETS, StaticFiles(directory=str(static)))
    swagger = _page(
        get_swagger_ui_html(
            openapi_url=OPENAPI,
            title=f"{app.title} - Swagger UI",
            oauth2_redirect_url="/docs/oauth2-redirect",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon.png",
        )
    )
    redirect = _page(get_swagger_ui_oauth2_redirect_html())
    redoc = _page(
        get_redoc_html(
            openapi_url=OPENAPI,
            title=f"{app.title} - ReDoc",
            redoc_js_url=REDOC_JS,
            redoc_favicon_url=f"{ASSETS}/favicon.png",
            with_google_fonts=False,
        ),
        inline_styles=True,
    )

    pages = {"/docs": swagger, "/docs/oauth2-redirect": redirect, "/redoc": redoc}
    for path, (html, csp) in pages.items():
        app.add_api_route(
            path, _serve(html, csp), include_in_schema=False, methods=["GET"], tags=["docs"]
        )


def _serve(html: str, csp: str) -> Callable[[], Awaitable[HTMLResponse]]:
    async def serve() -> HTMLResponse:
        return HTMLResponse(html, headers={"Content-Security-Policy": csp})

    return serve


def _serve_bytes(body: bytes) -> Callable[[], Awaitable[Response]]:
    async def serve() -> Response:
        return Response(body, media_type="text/javascript; charset=utf-8")

    return serve
