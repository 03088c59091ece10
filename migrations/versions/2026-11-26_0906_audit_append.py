"""The audit chain's append in one round trip on PostgreSQL.

`audit_append(lock_key, events)` takes the chain lock, reads the head, and inserts the staged
events, computing each hash in the database: `sha256(prev_hash || canonical)`, where the
application sends each event's canonical JSON (RFC 8785) in three pieces around the two
members only the database knows, `prev_hash` and `seq`. The lock is then held for this one
call and the COMMIT, instead of three round trips and the application's own work.

Revision ID: 20261126_06
Revises: 20261126_05
Create Date: 2026-11-26 07:05:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261126_06"
down_revision: str | None = "20261126_05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# VOLATILE PL/pgSQL: each statement takes a fresh snapshot, so the head read after the lock is
# the one the previous holder committed.
AUDIT_APPEND = """
CREATE FUNCTION audit_append(lock_key bigint, events json)
RETURNS void LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head_seq bigint;
    head_hash varchar;
    e json;
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    SELECT a.seq, a.hash INTO head_seq, head_hash FROM audit_events a ORDER BY a.seq DESC LIMIT 1;
    head_seq := coalesce(head_seq, 0);
    head_hash := coalesce(head_hash, repeat('0', 64));
    FOR e IN SELECT value FROM json_array_elements(events) LOOP
        head_seq := head_seq + 1;
        INSERT INTO audit_events (seq, id, at, actor_id, actor_role, action, entity_type,
                                  entity_id, from_status, to_status, reason, data, prev_hash, hash)
        VALUES (head_seq, (e->>'id')::uuid, (e->>'at')::timestamptz, (e->>'actor_id')::uuid,
                e->>'actor_role', e->>'action', e->>'entity_type', (e->>'entity_id')::uuid,
                e->>'from_status', e->>'to_status', e->>'reason', (e->>'data')::json, head_hash,
                encode(sha256(convert_to(
                    head_hash || (e->>'head') || '"' || head_hash || '"' || (e->>'middle')
                    || head_seq::text || (e->>'tail'), 'UTF8')), 'hex'))
        RETURNING hash INTO head_hash;
    END LOOP;
END
$$
"""


# What the application called before (lock and head only); audit_append replaces it.
HEAD_LOCKED = """
CREATE FUNCTION audit_chain_head_locked(lock_key bigint)
RETURNS TABLE (seq bigint, hash varchar) LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(lock_key);
    RETURN QUERY SELECT e.seq, e.hash FROM audit_events e ORDER BY e.seq DESC LIMIT 1;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(AUDIT_APPEND)
        op.execute("DROP FUNCTION audit_chain_head_locked(bigint)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(HEAD_LOCKED)
        op.execute("DROP FUNCTION audit_append(bigint, json)")
