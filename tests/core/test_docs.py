"""/docs and /redoc work offline: every asset from this service, a CSP that names them."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest

from tests.helpers import Api


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_docs_load_nothing_from_elsewhere(api: Api, page: str) -> None:
    response = await api.client.get(page)
    assert response.status_code == 200
    html = response.text
    assert '<html lang="en">' in html
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html), "an asset from elsewhere"
    assets = re.findall(r"""(?:src|href)=["']?(/docs/assets/[^"' >]+)""", html)
    assert any(asset.endswith(".js") for asset in assets)
    for asset in assets:
        served = await api.client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 1000

    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    for script in re.findall(r"<script>(.*?)</script>", html, re.DOTALL):
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in csp


async def test_redoc_shows_no_logo_from_a_cdn(api: Api) -> None:
    """ReDoc's menu drew Redocly's logo from cdn.redoc.ly: blocked by the CSP, an error in the
    console on every load."""
    page = (await api.client.get("/redoc")).text
    (script,) = re.findall(r"""<script src="([^"]+)">""", page)
    served = await api.client.get(script)
    assert served.status_code == 200
    assert served.headers["content-type"].startswith("text/javascript")
    assert b"cdn.redoc.ly" not in served.content
    assert b"/docs/assets/favicon.png" in served.content


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
async def test_without_javascript_the_page_says_so_and_links_the_openapi(
    api: Api, page: str
) -> None:
    html = (await api.client.get(page)).text
    (said,) = re.findall(r"<noscript>(.*?)</noscript>", html, re.DOTALL)
    assert "needs JavaScript" in said
    assert '<a href="/openapi.json">' in said
    assert (
        '<link rel="alternate" type="application/vnd.oai.openapi+json" href="/openapi.json">'
        in html
    )
    document = await api.client.get("/openapi.json")
    assert document.status_code == 200
    assert document.json()["openapi"].startswith("3.")
