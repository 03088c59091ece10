"""The public site's pages through HTTP on both databases: both languages, the language switch,
what each page shows, caching like `/public/`, hostile text shown as text, and its policy."""

from __future__ import annotations

import re
from pathlib import Path

from oversight.core.config import Settings
from tests.budget.test_budget import OPERATIONS_CSV
from tests.cases import Cast, new_meeting
from tests.evidence.files import PDF, upload
from tests.helpers import Api, run_cli, submit

SPANISH = {"Cookie": "lang=es"}
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


async def test_the_home_page_in_english_and_in_spanish(api: Api, cast: Cast) -> None:
    await new_meeting(api, cast, title="Regular meeting of January")
    english = await api.client.get("/")
    assert english.status_code == 200
    assert english.headers["content-type"].startswith("text/html")
    assert '<html lang="en">' in english.text
    assert "Community Police Oversight Commission" in english.text
    assert "Regular meeting of January" in english.text
    assert english.headers["Content-Language"] == "en"
    spanish = await api.client.get("/", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.text
    assert "Comisión Comunitaria de Supervisión Policial" in spanish.text
    assert "Próximas reuniones" in spanish.text
    # The date in Spanish: "martes, 15 de enero de 2030".
    assert "enero de 2030" in spanish.text
    prefers_english = await api.client.get("/", headers={"Accept-Language": "en;q=0.9,es;q=0.8"})
    assert '<html lang="en">' in prefers_english.text


async def test_the_language_switch_is_remembered_and_stays_on_the_site(api: Api) -> None:
    switched = await api.client.get("/language", params={"to": "es", "next": "/meetings"})
    assert switched.status_code == 303
    assert switched.headers["Location"] == "/meetings"
    assert "lang=es" in switched.headers["set-cookie"]
    assert "httponly" in switched.headers["set-cookie"].lower()
    page = await api.client.get("/meetings", headers=SPANISH)
    assert "<h1>Reuniones</h1>" in page.text
    for elsewhere in ("//evil.example/", "https://evil.example/", "\\\\evil.example"):
        away = await api.client.get("/language", params={"to": "es", "next": elsewhere})
        assert away.headers["Location"] == "/", elsewhere
    unknown = await api.client.get("/language", params={"to": "xx", "next": "/"})
    assert "set-cookie" not in unknown.headers


async def test_a_meeting_page_shows_its_agenda_and_public_documents(api: Api, cast: Cast) -> None:
    meeting = await new_meeting(api, cast, title="Budget hearing")
    item = await api.client.post(
        f"/api/v1/meetings/{meeting['id']}/agenda-items",
        json={"title": "Stop data for the third quarter", "kind": "general"},
        headers=cast.commissioner.headers,
    )
    assert item.status_code == 201, item.text
    packet = await upload(
        api,
        f"/api/v1/meetings/{meeting['id']}/attachments",
        cast.commissioner,
        PDF,
        "packet.pdf",
        "application/pdf",
    )
    assert packet.status_code == 201, packet.text
    page = await api.client.get(f"/meetings/{meeting['id']}")
    assert page.status_code == 200
    assert "Stop data for the third quarter" in page.text
    assert "packet.pdf" in page.text
    link = re.search(r'href="(/api/v1/public/attachments/[^"]+)"', page.text)
    assert link is not None
    assert (await api.client.get(link.group(1))).status_code == 200
    assert "General business" in page.text
    spanish = await api.client.get(f"/meetings/{meeting['id']}", headers=SPANISH)
    assert "Asuntos generales" in spanish.text and "Orden del día" in spanish.text
    missing = await api.client.get("/meetings/00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404
    assert "Page not found" in missing.text
    assert (await api.client.get("/meetings/not-an-id")).status_code == 404


async def test_public_pages_are_cacheable_like_the_public_api(api: Api, cast: Cast) -> None:
    first = await api.client.get("/")
    tag = first.headers["ETag"]
    assert first.headers["Cache-Control"].startswith("public")
    assert "Accept-Language" in first.headers["Vary"]
    again = await api.client.get("/", headers={"If-None-Match": tag})
    assert (again.status_code, again.content) == (304, b"")
    spanish = await api.client.get("/", headers={"If-None-Match": tag, "Accept-Language": "es"})
    assert spanish.status_code == 200  # another language, another representation
    await new_meeting(api, cast)  # the record changed
    changed = await api.client.get("/", headers={"If-None-Match": tag})
    assert changed.status_code == 200


async def test_hostile_text_is_shown_as_text(api: Api, cast: Cast) -> None:
    proposal = await api.client.post(
        "/api/v1/proposals",
        json={"title": HOSTILE[:150], "body": HOSTILE},
        headers=cast.resident.headers,
    )
    assert proposal.status_code == 201, proposal.text
    page = await api.client.get("/proposals")
    assert "<script>alert" not in page.text and "<img src=x" not in page.text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.text
    policy = page.headers["Content-Security-Policy"]
    assert "script-src" not in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "<script" not in page.text  # no script at all, not even ours


async def test_following_a_concern_by_its_code(api: Api, cast: Cast) -> None:
    concern = await submit(api)
    empty = await api.client.get("/track")
    assert empty.status_code == 200 and 'name="code"' in empty.text
    found = await api.client.get("/track", params={"code": concern["tracking_code"].lower()})
    assert found.status_code == 200
    assert found.headers["Cache-Control"] == "private, no-store"
    assert "Received" in text_of(found.text)
    spanish = await api.client.get(
        "/track", params={"code": concern["tracking_code"]}, headers=SPANISH
    )
    assert "Recibida" in spanish.text and "Descortesía" in spanish.text
    wrong = await api.client.get("/track", params={"code": "OC-0000-0000-0000"})
    assert wrong.status_code == 404
    assert 'role="alert"' in wrong.text and 'aria-invalid="true"' in wrong.text


async def test_the_meetings_as_an_rss_feed(api: Api, cast: Cast) -> None:
    from xml.etree import ElementTree

    meeting = await new_meeting(api, cast, title="Regular <meeting> & more")
    feed = await api.client.get("/api/v1/public/meetings.rss")
    assert feed.status_code == 200
    assert feed.headers["content-type"].startswith("application/rss+xml")
    root = ElementTree.fromstring(feed.content)
    assert root.tag == "rss" and root.get("version") == "2.0"
    (item,) = root.iter("item")
    assert item.findtext("title", "").startswith("Regular <meeting> & more (2030-01-15")
    assert item.findtext("link", "").endswith(f"/meetings/{meeting['id']}")
    assert item.findtext("pubDate")
    assert feed.headers["ETag"] and feed.headers["Cache-Control"].startswith("public")


async def test_the_public_record_pages(api: Api, cast: Cast) -> None:
    await submit(api, cast.resident)
    for path, english, spanish in [
        ("/report", "Transparency report", "Informe de transparencia"),
        ("/recommendations", "Recommendations", "Recomendaciones"),
        ("/budget", "Police budget", "Presupuesto policial"),
        ("/data", "Open data", "Datos abiertos"),
    ]:
        page = await api.client.get(path)
        assert page.status_code == 200, path
        assert f"<h1>{english}</h1>" in page.text, path
        assert page.headers["ETag"]
        es = await api.client.get(path, headers=SPANISH)
        assert f"<h1>{spanish}</h1>" in es.text, path
    report = await api.client.get("/report")
    # The month in progress is not in the report: nothing received in its whole months.
    assert "<dt>Received</dt><dd>0</dd>" in report.text


async def test_the_budget_page_shows_the_department_s_operations(
    api: Api, settings: Settings, tmp_path: Path
) -> None:
    empty = await api.client.get("/budget")
    assert "No operations figures are on record for these months." in empty.text
    written = tmp_path / "ops.csv"
    written.write_text(OPERATIONS_CSV)
    result = run_cli(settings, "operations", "import", "--file", str(written))
    assert result.returncode == 0, result.stderr
    page = await api.client.get("/budget", headers=SPANISH)
    assert "570 llamadas de servicio en total." in page.text
    assert '<th scope="row">septiembre de 2026</th><td>450</td><td>12</td>' in page.text
    assert '<th scope="row">Sun Terrace</th><td>50</td><td>8</td>' in page.text
    english = await api.client.get("/budget")
    assert '<th scope="row">October 2026</th><td>120</td><td>7</td>' in english.text
