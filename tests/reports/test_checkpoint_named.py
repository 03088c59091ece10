"""Reports and exports name the audit log's signed checkpoint they describe (its size and root),
and a new checkpoint, which records no event, is a new state for the public answers' ETags."""

from __future__ import annotations

import csv
import io

from oversight.core.config import Settings
from tests.helpers import Api, run_cli, submit

PUBLIC = "/api/v1/public"
SUMMARY = f"{PUBLIC}/reports/summary"
EXPORTS = (f"{PUBLIC}/data/concerns.csv", f"{PUBLIC}/data/allegations.csv")


def sign(settings: Settings) -> None:
    made = run_cli(settings, "audit", "checkpoint")
    assert made.returncode == 0, made.stderr


async def signed_checkpoint(api: Api) -> tuple[int, str]:
    """The latest checkpoint's size and base64 root, from its note (origin, size, root)."""
    note = await api.client.get(f"{PUBLIC}/audit/checkpoint")
    assert note.status_code == 200, note.text
    _origin, size, root = note.text.splitlines()[:3]
    return int(size), root


async def test_reports_and_exports_name_the_latest_checkpoint(api: Api, settings: Settings) -> None:
    await submit(api)
    assert (await api.client.get(SUMMARY)).json()["checkpoint"] is None
    for export in EXPORTS:
        answer = await api.client.get(export)
        assert answer.status_code == 200 and "oversight-checkpoint" not in answer.headers
    html = await api.client.get(f"{SUMMARY}.html")
    assert "The log had signed no checkpoint yet." in html.text

    sign(settings)
    size, root = await signed_checkpoint(api)
    figures = (await api.client.get(SUMMARY)).json()
    assert figures["checkpoint"] == {"tree_size": size, "root_hash": root}
    assert figures["audit_head"]["seq"] == size  # nothing happened since: the head is signed

    rows = list(csv.reader(io.StringIO((await api.client.get(f"{SUMMARY}.csv")).text)))
    assert ["report", "checkpoint_tree_size", str(size)] in rows
    # A base64 root can begin with "+", which a spreadsheet would run: written behind a "'".
    written = f"'{root}" if root.startswith("+") else root
    assert ["report", "checkpoint_root_hash", written] in rows

    html = await api.client.get(f"{SUMMARY}.html")
    assert f"covered its first\n  {size} entries" in html.text and root in html.text

    for export in EXPORTS:
        answer = await api.client.get(export)
        assert answer.headers["oversight-checkpoint"] == f"tree-size={size}, root-hash=:{root}:"


async def test_a_new_checkpoint_is_a_new_state_for_public_etags(
    api: Api, settings: Settings
) -> None:
    await submit(api)
    first = await api.client.get(SUMMARY)
    tag = first.headers["etag"]
    home = await api.client.get("/")
    assert (await api.client.get(SUMMARY, headers={"If-None-Match": tag})).status_code == 304

    sign(settings)  # records no event: the audit head is where it was
    again = await api.client.get(SUMMARY, headers={"If-None-Match": tag})
    assert again.status_code == 200 and again.headers["etag"] != tag
    assert again.json()["audit_head"] == first.json()["audit_head"]
    assert again.json()["checkpoint"] is not None
    page = await api.client.get("/", headers={"If-None-Match": home.headers["etag"]})
    assert page.status_code == 200
