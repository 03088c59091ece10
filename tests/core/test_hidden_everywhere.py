"""A thing the caller may not see answers exactly as a thing that does not exist, on every path
of the OpenAPI document that names one (issue 26, item 3).

The operations are not listed by hand: every path with a parameter in the app's own OpenAPI
document, with every method on it, is asked once with the hidden thing's id and once with a
random id of the same shape, by each caller who may not see the thing, with the same headers
(``If-Match: "1"``, then none) and the same minimally valid body (built from the operation's
schema). Both answers must be the same (status, problem ``code`` and ``detail``), and nothing may change (the public audit
head stays where it was). That holds whether the operation is one the caller may never use (a
403 for any id confirms nothing) or one on rows they could see in principle (the hidden row must
be a 404 like a missing one). A path parameter with no entry below fails the test, so a new
path cannot slip past.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

import httpx

from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.main import create_app
from tests.cases import Cast
from tests.core.test_hidden_things import world
from tests.evidence.files import TEXT, photo, upload
from tests.helpers import Api, Person, moved, submit
from tests.intervention.test_flags import accuse, worker_round

AUDIT_HEAD = "/api/v1/public/audit/head"
METHODS = ("get", "put", "post", "patch", "delete")
# A version that is the hidden things' own (most are at 1), and none: neither a 412 nor a 428
# may tell them apart from a missing id.
IF_MATCH = ('"1"', None)

# Which hidden thing each path parameter names: by the name ``hidden_world`` stores it under.
HIDDEN = {
    "concern_id": "concern",
    "allegation_id": "allegation",
    "resolution_id": "draft",
    "recommendation_id": "recommendation",
    "comment_id": "comment",
    "user_id": "user",
    "webhook_id": "webhook",
    "delivery_id": "delivery",
    "key_id": "key",
    "officer_id": "officer",
    "flag_id": "flag",
    "rule_id": "rule",
    "attachment_id": "attachment",
}
# A second hidden thing for a parameter, asked as well: each one a different reason to hide.
ALSO_HIDDEN = {
    "resolution_id": ("withdrawn_draft", "returned"),
    "comment_id": ("pending_comment",),
    "concern_id": ("referred_concern", "anonymous_concern"),
    "attachment_id": ("shared_original", "withdrawn_document"),
}
# Parameters that name nothing anyone is kept from seeing, and why. Everything else needs a
# hidden thing above.
PUBLIC_BY_DESIGN = {
    "meeting_id": "meetings have no unpublished state (meetings.visibility.meetings_visible_to)",
    "item_id": "agenda items are parts of public meetings",
    "proposal_id": "proposals are public from their creation",
    "tracking_code": "the tracking code is the submitter's key to their concern's status",
    "service_request_id": "Open311 shows every concern's anonymized status by design",
    "service_code": "Open311 service codes are the public categories",
    "fmt": "a response format, not an id",
    "year": "budget years are public",
    "code": "problem codes are the public documentation of errors",
}
# Things only an admin touches: a commissioner is one more caller who may not see them.
ADMIN_ONLY = {"webhook_id", "delivery_id", "key_id", "user_id"}
# Things only commissioners see: an admin is one more caller who may not see them.
COMMISSIONER_ONLY = {"flag_id"}


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def minimal(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The smallest value the schema takes: its example, else its required parts."""
    schema = resolve(document, schema)
    if "example" in schema:
        return schema["example"]
    if schema.get("examples"):
        return schema["examples"][0]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("oneOf", "anyOf", "allOf"):
        if schema.get(key):
            options = [resolve(document, s) for s in schema[key]]
            chosen = next((s for s in options if s.get("type") != "null"), options[0])
            return minimal(document, chosen)
    kind = schema.get("type", "object")
    if kind == "object":
        properties = schema.get("properties", {})
        return {name: minimal(document, properties[name]) for name in schema.get("required", [])}
    if kind == "array":
        return [
            minimal(document, schema.get("items", {})) for _ in range(schema.get("minItems", 0))
        ]
    if kind == "integer":
        return max(int(schema.get("minimum", 1)), 1)
    if kind == "number":
        return float(schema.get("minimum", 1))
    if kind == "boolean":
        return True
    return {
        "uuid": str(uuid.uuid4()),
        "date-time": "2030-01-15T18:00:00Z",
        "date": "2030-01-15",
        "email": "someone@example.org",
        "uri": "https://example.org/hook",
    }.get(schema.get("format", ""), "x" * max(int(schema.get("minLength", 1)), 12))


def body_of(document: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    """The request's body, as httpx's keyword arguments."""
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        return {"json": minimal(document, content["application/json"].get("schema", {}))}
    if "application/x-www-form-urlencoded" in content:
        form = minimal(document, content["application/x-www-form-urlencoded"].get("schema", {}))
        return {"data": form}
    return {}


async def hidden_world(api: Api, cast: Cast, settings: Settings) -> tuple[dict[str, str], Person]:
    """One thing per resource that some caller may not see, read by whom may see it."""
    drafts = await world(api, cast)  # draft, withdrawn_draft, returned, recommendation, comment
    ids = dict(drafts.ids)
    admin = await api.person(Role.ADMIN)
    # Another resident's complaint, with an allegation, still unassigned to any department.
    owner = await api.person(Role.RESIDENT)
    concern = await submit(
        api,
        owner,
        allegations=[{"category": "discourtesy", "officer_badge": "1234"}],
    )
    ids["concern"] = concern["id"]
    ids["user"] = str(owner.id)
    allegations = await api.client.get(
        f"/api/v1/concerns/{concern['id']}/allegations", headers=cast.commissioner.headers
    )
    assert allegations.status_code == 200, allegations.text
    ids["allegation"] = allegations.json()[0]["id"]
    # Another resident's concern referred to the cast's department (an officer of another
    # department may not see it), and one submitted anonymously (nobody's own).
    referred = await submit(api, owner)
    await moved(api, cast.commissioner, referred, "triaged")
    await moved(api, cast.commissioner, referred, "referred", department_id=str(cast.department))
    ids["referred_concern"] = referred["id"]
    ids["anonymous_concern"] = (await submit(api))["id"]
    # An anonymous comment waiting for moderation, on a public agenda item.
    meeting = await api.client.post(
        "/api/v1/meetings",
        json={"title": "Regular meeting", "scheduled_at": "2030-01-15T18:00:00Z"},
        headers=cast.commissioner.headers,
    )
    item = await api.client.post(
        f"/api/v1/meetings/{meeting.json()['id']}/agenda-items",
        json={"title": "Stop data", "kind": "general"},
        headers=cast.commissioner.headers,
    )
    assert item.status_code == 201, item.text
    pending = await api.client.post(
        "/api/v1/comments",
        json={"target": {"type": "agenda_item", "id": item.json()["id"]}, "body": "Spam?"},
    )
    assert pending.json()["status"] == "pending", pending.text
    ids["pending_comment"] = pending.json()["id"]
    # A webhook with a delivery (the concern above made none: it is subscribed after it).
    webhook = await api.client.post(
        "/api/v1/webhooks",
        json={"url": "http://127.0.0.1:1/hook", "events": ["concern.*"], "description": "CRM"},
        headers=admin.headers,
    )
    assert webhook.status_code == 201, webhook.text
    ids["webhook"] = webhook.json()["id"]
    await submit(api, owner)
    deliveries = await api.client.get(
        f"/api/v1/webhooks/{ids['webhook']}/deliveries", headers=admin.headers
    )
    ids["delivery"] = deliveries.json()["items"][0]["id"]
    key = await api.client.post("/api/v1/open311/keys", json={"name": "CRM"}, headers=admin.headers)
    assert key.status_code == 201, key.text
    ids["key"] = key.json()["id"]
    # A roster officer: only commissioners and admins see the roster.
    await api.department("HIDDEN")
    roster = "department,badge,first_name,last_name,rank,unit,status,hired_on,separated_on\n"
    imported = await api.client.post(
        "/api/v1/officers/import",
        content=roster + "HIDDEN,7001,Ada,Lane,Officer,Patrol,active,2019-03-01,\n",
        headers={**admin.headers, "Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    officers = await api.client.get("/api/v1/officers", headers=admin.headers)
    ids["officer"] = officers.json()["items"][0]["id"]
    # An early-intervention flag (commissioners only) and a rule (commissioners and admins).
    rules = await api.client.get("/api/v1/early-intervention/rules", headers=admin.headers)
    ids["rule"] = rules.json()[0]["id"]
    await accuse(api, cast, ids["officer"], 3)
    await worker_round(api, settings)
    flags = await api.client.get(
        "/api/v1/early-intervention/flags", headers=cast.commissioner.headers
    )
    ids["flag"] = flags.json()["items"][0]["id"]
    # Evidence on another resident's concern; a photo shared with the referred department,
    # whose officers read its copy, never the original; a withdrawn public document.
    evidence = await upload(api, f"/api/v1/concerns/{concern['id']}/attachments", owner, TEXT)
    ids["attachment"] = evidence.json()["id"]
    shared = await upload(
        api, f"/api/v1/concerns/{referred['id']}/attachments", owner, photo(), "a.jpg", "image/jpeg"
    )
    ids["shared_original"] = shared.json()["id"]
    changed = await api.client.patch(
        f"/api/v1/attachments/{ids['shared_original']}",
        json={"visibility": "department"},
        headers={**cast.commissioner.headers, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    document = await upload(
        api, f"/api/v1/meetings/{meeting.json()['id']}/attachments", cast.commissioner, TEXT
    )
    ids["withdrawn_document"] = document.json()["id"]
    withdrawn = await api.client.post(
        f"/api/v1/attachments/{ids['withdrawn_document']}/withdrawal",
        json={"reason": "Wrong meeting."},
        headers=cast.commissioner.headers,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    return ids, admin


def other_bodies(document: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    """The minimal body with each other value of each enumerated top-level field: some
    documents allow more than the operation takes (``to`` of a resolution's transition lists
    every status), and the first body it takes is the one worth comparing."""
    first = body_of(document, operation)
    if not isinstance(first.get("json"), dict):
        return [first]
    content = operation["requestBody"]["content"]["application/json"]
    schema = resolve(document, content.get("schema", {}))
    bodies = [first]
    for name, field_schema in schema.get("properties", {}).items():
        if name not in first["json"]:
            continue
        for value in resolve(document, field_schema).get("enum", []):
            bodies.append({"json": {**first["json"], name: value}})
    return bodies


def shape(response: httpx.Response, ids: Iterable[str]) -> tuple[int, str | None, str | None]:
    """What the answer says: its status, its problem code and its words (the id asked for
    written as ``{id}``, as a missing one's are)."""
    code = detail = None
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        problem = response.json()
        code, detail = problem.get("code"), str(problem.get("detail"))
        for asked in ids:
            detail = detail.replace(asked, "{id}")
    return response.status_code, code, detail


async def test_every_hidden_id_answers_as_a_missing_one(
    api: Api, cast: Cast, settings: Settings
) -> None:
    app = create_app(settings)
    document = app.openapi()
    await app.state.database.dispose()
    ids, _admin = await hidden_world(api, cast, settings)
    stranger = await api.person(Role.OFFICER)  # an officer of another department
    callers: dict[str, Person | None] = {
        "anonymous": None,
        "resident": cast.resident,
        "stranger": stranger,
    }
    unmapped: list[str] = []
    mismatches: list[str] = []
    vacuous: list[str] = []
    asked = combinations = 0
    head = (await api.client.get(AUDIT_HEAD)).json()
    for path, operations in document["paths"].items():
        for method in METHODS:
            if method not in operations:
                continue
            operation = operations[method]
            names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
            missing = [n for n in names if n not in HIDDEN and n not in PUBLIC_BY_DESIGN]
            unmapped.extend(f"{method.upper()} {path}: {{{n}}}" for n in missing)
            hidden_names = [n for n in names if n in HIDDEN]
            if missing or not hidden_names:
                continue
            # The other parameters (a format) take their first allowed value.
            fixed = {
                p["name"]: str(minimal(document, p.get("schema", {})))
                for p in operation["parameters"]
                if p["in"] == "path" and p["name"] not in HIDDEN
            }
            variants = [{n: ids[HIDDEN[n]] for n in hidden_names}]
            for n in hidden_names:
                variants += [{**variants[0], n: ids[other]} for other in ALSO_HIDDEN.get(n, ())]
            who = dict(callers)
            if any(n in ADMIN_ONLY for n in hidden_names):
                who["commissioner"] = cast.commissioner
            if any(n in COMMISSIONER_ONLY for n in hidden_names):
                who["admin"] = _admin
            for caller_name, caller in who.items():
                combinations += 1
                for if_match in IF_MATCH:
                    headers = {**(caller.headers if caller else {})}
                    if if_match is not None:
                        headers["If-Match"] = if_match
                    nowhere_values = {n: str(uuid.uuid4()) for n in hidden_names} | fixed
                    for body in other_bodies(document, operation):
                        nowhere = await api.client.request(
                            method, path.format(**nowhere_values), headers=headers, **body
                        )
                        if nowhere.status_code != 422:
                            break
                    expected = shape(nowhere, nowhere_values.values())
                    if nowhere.status_code == 422:
                        vacuous.append(f"{method.upper()} {path} {caller_name}: {nowhere.text}")
                    for variant in variants:
                        asked += 1
                        url = path.format(**(variant | fixed))
                        got = await api.client.request(method, url, headers=headers, **body)
                        if shape(got, variant.values()) != expected:
                            mismatches.append(
                                f"{method.upper()} {url} as {caller_name}, If-Match {if_match}: "
                                f"{shape(got, variant.values())} (a missing id: {expected})"
                            )
    after = (await api.client.get(AUDIT_HEAD)).json()
    print(f"{combinations} (path, method, caller), {asked} hidden-id requests compared")
    for line in unmapped + mismatches + vacuous:
        print(line)
    assert not unmapped, "path parameters with no hidden thing: add them to HIDDEN"
    assert not vacuous, "bodies the schema rejects make the comparison say nothing"
    assert not mismatches
    assert after == head, "a request on a hidden thing changed the record"
