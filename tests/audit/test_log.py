"""The verifiable log through HTTP and the CLI: checkpoints signed with the log's key, whose
root is the RFC 9162 root of the events' leaf hashes; inclusion and consistency proofs that
verify; bad requests refused; and an outsider's witness that catches a rewritten history."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from oversight.audit import checkpoint, merkle, tree
from oversight.core import chain
from oversight.core.clock import simulated_clock
from oversight.core.config import Settings
from oversight.core.roles import Role
from oversight.notifications.worker import Worker
from tests.audit.test_audit import make_events
from tests.helpers import Api, assert_problem, run_cli, serve

LOG = "/api/v1/public/audit"


def signed(settings: Settings) -> str:
    """A checkpoint now, through the CLI; its line."""
    made = run_cli(settings, "audit", "checkpoint")
    assert made.returncode == 0, made.stderr
    return made.stdout.strip()


async def verifier(api: Api) -> str:
    key = await api.client.get(f"{LOG}/key")
    assert key.status_code == 200 and key.headers["content-type"].startswith("text/plain")
    return key.text.strip()


async def latest(api: Api) -> checkpoint.Checkpoint:
    note = await api.client.get(f"{LOG}/checkpoint")
    assert note.status_code == 200, note.text
    body, names = checkpoint.open(note.text, [await verifier(api)])
    assert names == ["testserver/audit"]
    return checkpoint.Checkpoint.parse(body)


async def leaves(api: Api) -> list[bytes]:
    """Every event's leaf hash, from the events as staff read them: SHA-256(0x00 || the
    event's canonical bytes, the ones its chain hash covers)."""
    admin = await api.person(Role.ADMIN)
    events: list[dict[str, Any]] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 200, **({"cursor": cursor} if cursor else {})}
        page = await api.client.get("/api/v1/audit/events", params=params, headers=admin.headers)
        events += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if cursor is None:
            break
    events.sort(key=lambda e: e["seq"])
    return [merkle.leaf_hash(chain.canonical_event(e)) for e in events]


def decoded(proof: list[str]) -> list[bytes]:
    return [base64.b64decode(h) for h in proof]


async def test_checkpoints_and_proofs_verify(api: Api, settings: Settings) -> None:
    assert_problem(await api.client.get(f"{LOG}/checkpoint"), 404)  # nothing signed yet
    await make_events(api, 6)
    assert signed(settings).startswith("checkpoint of ")
    first = await latest(api)
    hashes = await leaves(api)  # reading them made an admin: one more event, not yet signed
    assert first.size == len(hashes) - 1
    assert first.root == merkle.root(hashes[: first.size])
    assert (
        signed(settings)
        == f"checkpoint of {len(hashes)} events, root "
        + base64.b64encode(merkle.root(hashes)).decode()
    )
    assert signed(settings) == "the last checkpoint is current: nothing to sign"
    second = await latest(api)
    assert second.size == len(hashes) and second.root == merkle.root(hashes)

    for index, leaf in enumerate(hashes):
        for size in (index + 1, second.size):
            answer = await api.client.get(
                f"{LOG}/proofs/inclusion",
                params={"leaf_hash": base64.b64encode(leaf).decode(), "tree_size": size},
            )
            assert answer.status_code == 200, answer.text
            found = answer.json()
            assert found["index"] == index and found["tree_size"] == size
            root = merkle.root(hashes[:size])
            assert merkle.verify_inclusion(leaf, index, size, decoded(found["proof"]), root)
    for old in range(1, second.size + 1):
        answer = await api.client.get(
            f"{LOG}/proofs/consistency", params={"from": old, "to": second.size}
        )
        assert answer.status_code == 200, answer.text
        proof = decoded(answer.json()["proof"])
        old_root = merkle.root(hashes[:old])
        assert merkle.verify_consistency(old, second.size, proof, old_root, second.root)

    history = (await api.client.get(f"{LOG}/checkpoints")).json()["items"]
    assert [c["tree_size"] for c in history] == [second.size, first.size]
    assert history[0]["root_hash"] == base64.b64encode(second.root).decode()


async def test_the_worker_signs_when_the_log_grew_and_a_checkpoint_is_due(
    api: Api, settings: Settings
) -> None:
    await make_events(api, 4)
    worker = Worker(settings, api.database)
    try:
        await worker.run_once()  # no checkpoint yet: due at once
        first = await latest(api)
        assert first.size == len(await leaves(api)) - 1  # reading made one more event
        await worker.run_once()  # grown, but the last checkpoint is younger than 300 s
        assert (await latest(api)).size == first.size
        later = datetime.now(UTC) + timedelta(seconds=301)
        with simulated_clock(lambda: later):
            await worker.run_once()
        assert (await latest(api)).size > first.size
    finally:
        await worker.close()


async def test_the_tree_grows_in_batches_until_it_has_every_event(api: Api) -> None:
    await make_events(api, 8)
    async with api.database.unit_of_work() as session:
        head = int(await session.scalar(text("SELECT max(seq) FROM audit_events")))
        assert await tree.grow(session, limit=1) == (1, True)
        # Batches from a size that is not a multiple of theirs: "more" counts what was read.
        size, more = await tree.grow(session, limit=4)
        assert (size, more) == (5, True)
        while more:
            size, more = await tree.grow(session, limit=4)
        assert size == head == await tree.built_size(session)


async def test_the_log_s_answers_are_validated_and_bad_requests_refused(
    api: Api, settings: Settings
) -> None:
    await make_events(api, 3)
    signed(settings)
    size = (await latest(api)).size
    note = await api.client.get(f"{LOG}/checkpoint")
    again = await api.client.get(
        f"{LOG}/checkpoint", headers={"If-None-Match": note.headers["ETag"]}
    )
    assert again.status_code == 304
    proof = await api.client.get(f"{LOG}/proofs/consistency", params={"from": 1, "to": size})
    assert "immutable" in proof.headers["Cache-Control"]

    bad: list[dict[str, str | int]] = [
        {"from": 2, "to": 1},  # reversed
        {"from": 1, "to": size + 1},  # past the latest checkpoint
        {"from": 0, "to": size},
        {"from": "x", "to": size},
    ]
    for params in bad:
        assert_problem(await api.client.get(f"{LOG}/proofs/consistency", params=params), 422)
    leaf = base64.b64encode((await leaves(api))[1]).decode()
    wrong: list[dict[str, str | int]] = [
        {"leaf_hash": "not base64!", "tree_size": 1},
        {"leaf_hash": base64.b64encode(b"short").decode(), "tree_size": 1},
        {"leaf_hash": leaf, "tree_size": 1},  # leaf number 1 is not in a tree of one
        {"leaf_hash": leaf, "tree_size": size + 1},
    ]
    for params in wrong:
        assert_problem(await api.client.get(f"{LOG}/proofs/inclusion", params=params), 422)
    hashes = await leaves(api)
    newest = base64.b64encode(hashes[-1]).decode()  # an event the checkpoint does not sign
    early = await api.client.get(
        f"{LOG}/proofs/inclusion", params={"leaf_hash": newest, "tree_size": size}
    )
    assert_problem(early, 404)
    assert "found after the next one" in early.json()["detail"]
    # URL-safe base64 is read as well as the standard kind.
    urlsafe = base64.urlsafe_b64encode(hashes[1]).decode()
    found = await api.client.get(
        f"{LOG}/proofs/inclusion", params={"leaf_hash": urlsafe, "tree_size": size}
    )
    assert found.status_code == 200 and found.json()["index"] == 1
    unknown = base64.b64encode(bytes(32)).decode()
    assert_problem(
        await api.client.get(
            f"{LOG}/proofs/inclusion", params={"leaf_hash": unknown, "tree_size": size}
        ),
        404,
    )


def tamper(engine: Engine, *statements: str) -> None:
    """Rewrite the log as a database superuser would: every guard off, the statements, on."""
    tables = ("audit_events", "audit_tree", "audit_checkpoints")
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            for table in tables:
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            for statement in statements:
                connection.execute(text(statement))
            for table in tables:
                connection.execute(text(f"ALTER TABLE {table} ENABLE TRIGGER USER"))
            return
        triggers = connection.execute(
            text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        guards = [(name, sql) for name, sql in triggers if name.endswith(("_update", "_delete"))]
        for name, _ in guards:
            connection.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            connection.execute(text(statement))
        for _, sql in guards:
            connection.execute(text(sql))


async def test_a_witness_catches_a_rewritten_history(
    api: Api, settings: Settings, engine: Engine, tmp_path: Path
) -> None:
    await make_events(api, 4)
    signed(settings)
    state = tmp_path / "witness.state"
    with serve(settings) as base:
        key = await verifier(api)

        def witness(*, using: str = key) -> Any:
            return run_cli(
                settings, "audit", "witness", "--url", base, "--key", using, "--state", str(state)
            )

        first = witness()
        assert first.returncode == 0, first.stderr
        assert "first seen" in first.stdout and state.read_text().startswith("testserver/audit\n")
        await make_events(api, 3)
        signed(settings)
        grown = witness()
        assert grown.returncode == 0 and "consistent with 4" in grown.stdout, grown.stderr

        # Another key, a corrupt state file: one line, exit 1, the state kept.
        other = checkpoint.verifier_key(checkpoint.generate_key("testserver/audit")[0])
        refused = witness(using=other)
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1
        assert "not a checkpoint signed by this key" in refused.stderr
        kept = state.read_text()
        state.write_text("garbage\n")
        corrupt = witness()
        assert corrupt.returncode == 1 and "the state file" in corrupt.stderr
        assert corrupt.stderr.count("\n") == 1
        state.write_text(kept)

        # Behind the application's back: an early event changed, the tree and its
        # checkpoints rebuilt from the altered events and signed with the log's own key.
        tamper(
            engine,
            "UPDATE audit_events SET reason = 'nothing happened' WHERE seq = 2",
            "DELETE FROM audit_checkpoints",
            "DELETE FROM audit_tree",
        )
        signed(settings)
        same_size = witness()
        assert same_size.returncode == 1, same_size.stdout
        assert "two different roots for 7 events" in same_size.stderr
        await make_events(api, 2)  # and grown since: the proof from 7 cannot hold
        signed(settings)
        caught = witness()
        assert caught.returncode == 1, caught.stdout
        assert "history was rewritten" in caught.stderr and caught.stderr.count("\n") == 1
        assert state.read_text() == kept  # the last good checkpoint stays the witness's
