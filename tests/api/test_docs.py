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
