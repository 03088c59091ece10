from __future__ import annotations

import hashlib
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from pydantic import AwareDatetime

from oversight.accounts.deps import CurrentActor
from oversight.audit import checkpoint, signing, tree
from oversight.audit import service as audit_log
from oversight.audit.schemas import (
    AuditEventOut,
    CheckpointOut,
    ConsistencyProof,
    InclusionProof,
    PublicAuditHead,
)
from oversight.core.chain import GENESIS_HASH
from oversight.core.errors import ProblemCode, ServiceUnavailable
from oversight.core.events import AuditAction, EntityType
from oversight.core.http.caching import PUBLIC_CACHE_CONTROL, matches
from oversight.core.http.deps import Cursor, Limit, SessionDep, SettingsDep
from oversight.core.http.documentation import documented
from oversight.core.http.responses import json_response
from oversight.core.pagination import DEFAULT_LIMIT
from oversight.core.schemas import Page

router = APIRouter(prefix="/audit", tags=["audit"])
public = APIRouter(prefix="/public/audit", tags=["public"])


@router.get("/events", response_model=Page[AuditEventOut])
async def list_events(
    session: SessionDep,
    actor: CurrentActor,
    entity_type: EntityType | None = None,
    entity_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None = None,
    action: AuditAction | None = None,
    since: AwareDatetime | None = None,
    until: AwareDatetime | None = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> object:
    """The audit log in chain order (`seq` ascending), filtered."""
    items, next_cursor = await audit_log.page(
        session,
        actor,
        entity_type=entity_type,
        entity_id=entity_id,
        actor_id=actor_id,
        action=action,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )
    return {"items": items, "next_cursor": next_cursor}


@public.get("/head", name="audit_head", response_model=PublicAuditHead)
async def head(session: SessionDep) -> PublicAuditHead:
    """The newest event's `seq` and `hash`: record it, and check later that the log still
    leads to it."""
    event = await audit_log.head(session)
    if event is None:
        return PublicAuditHead(seq=0, hash=GENESIS_HASH, at=None)
    return PublicAuditHead(seq=event.seq, hash=event.hash, at=event.at)


# The verifiable log. Its answers change with a checkpoint, not with an audit event: each sets
# its own validator (``core.http.caching.OWN_VALIDATORS``).
IMMUTABLE = "public, max-age=31536000, immutable"
TEXT = {"content": {"text/plain": {"schema": {"type": "string"}}}}


def _validated(request: Request, answer: Response, cache_control: str) -> Response:
    """``answer`` with a strong ``ETag`` of its body; a 304 when ``If-None-Match`` names it."""
    tag = f'"{hashlib.sha256(answer.body).hexdigest()[:32]}"'
    headers = {"ETag": tag, "Cache-Control": cache_control}
    if matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    answer.headers.update(headers)
    return answer


def _text(body: str) -> Response:
    return Response(body, media_type="text/plain; charset=utf-8")


@public.get("/key", name="audit_key", response_class=Response, responses={200: TEXT})
@documented(raises=(ProblemCode.UNAVAILABLE,))
async def key(request: Request, settings: SettingsDep) -> Response:
    """The verifier key of the log's checkpoints, in the signed-note form
    `<name>+<hex key ID>+<base64(0x01 || Ed25519 public key)>`: pin it once, then check every
    checkpoint with it (`oversight audit witness`, or Go's `golang.org/x/mod/sumdb/note`)."""
    try:
        verifier = signing.verifier_key(settings)
    except (signing.NoSigningKey, checkpoint.NoteError) as exc:
        raise ServiceUnavailable("The log has no usable signing key yet.") from exc
    return _validated(request, _text(verifier + "\n"), PUBLIC_CACHE_CONTROL)


@public.get("/checkpoint", name="audit_checkpoint", response_class=Response, responses={200: TEXT})
@documented(raises=(ProblemCode.NOT_FOUND,))
async def latest_checkpoint(request: Request, session: SessionDep) -> Response:
    """The latest signed checkpoint: a C2SP `tlog-checkpoint` (the log's name, the tree size,
    the base64 RFC 9162 root hash) in a C2SP `signed-note`, signed with Ed25519."""
    found = await tree.latest(session)
    return _validated(request, _text(found.note), PUBLIC_CACHE_CONTROL)


def _checkpoint(found: Any) -> dict[str, Any]:
    return {
        "tree_size": found.tree_size,
        "root_hash": checkpoint.b64(found.root_hash),
        "made_at": found.made_at,
        "note": found.note,
    }


@public.get("/checkpoints", name="audit_checkpoints", response_model=Page[CheckpointOut])
async def checkpoints(
    request: Request, session: SessionDep, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Response:
    """Every signed checkpoint, the largest tree first."""
    items, next_cursor = await tree.history(session, limit=limit, cursor=cursor)
    page = {"items": [_checkpoint(c) for c in items], "next_cursor": next_cursor}
    return _validated(request, json_response(page), PUBLIC_CACHE_CONTROL)


@public.get("/proofs/consistency", name="audit_consistency_proof", response_model=ConsistencyProof)
@documented(raises=(ProblemCode.INVALID_INPUT,))
async def consistency_proof(
    request: Request,
    session: SessionDep,
    from_: Annotated[int, Query(alias="from", ge=1, le=2**63 - 1)],
    to: Annotated[int, Query(ge=1, le=2**63 - 1)],
) -> Response:
    """The RFC 9162 consistency proof between two sizes of the log (1 <= from <= to <= the
    latest checkpoint's size): whoever holds both roots checks that the larger tree extends the
    smaller, that no event of it was changed or removed."""
    proof = await tree.consistency(session, from_, to)
    answer = json_response({"from": from_, "to": to, "proof": proof})
    return _validated(request, answer, IMMUTABLE)


@public.get("/proofs/inclusion", name="audit_inclusion_proof", response_model=InclusionProof)
@documented(raises=(ProblemCode.INVALID_INPUT, ProblemCode.NOT_FOUND))
async def inclusion_proof(
    request: Request,
    session: SessionDep,
    leaf_hash: Annotated[
        str,
        Query(
            min_length=1,
            max_length=64,
            description="Standard base64 of SHA-256(0x00 || the event's canonical bytes).",
        ),
    ],
    tree_size: Annotated[int, Query(ge=1, le=2**63 - 1)],
) -> Response:
    """Where an event is in the log, and the RFC 9162 inclusion proof of it in the tree of
    `tree_size` events (a size the log has signed)."""
    index, proof = await tree.inclusion(session, tree.leaf_of(leaf_hash), tree_size)
    answer = json_response({"index": index, "tree_size": tree_size, "proof": proof})
    return _validated(request, answer, IMMUTABLE)
