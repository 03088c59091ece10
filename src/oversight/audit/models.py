"""The verifiable log's tables: the Merkle tree over the audit events (``audit_tree``: the hash
of every perfect subtree, level 0 the leaves) and the signed checkpoints. Both derived from
``audit_events`` by the tree builder (``audit.tree``), append-only like it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, LargeBinary, SmallInteger, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from oversight.core.db import Base


class TreeNode(Base):
    """The hash of leaves [index * 2**level, (index + 1) * 2**level): at level 0 the leaf hash
    of the event whose seq is index + 1."""

    __tablename__ = "audit_tree"
    __table_args__ = (
        Index(
            "ix_audit_tree_leaves",
            "hash",
            unique=True,
            postgresql_where=text("level = 0"),
            sqlite_where=text("level = 0"),
        ),
    )

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    index: Mapped[int] = mapped_column("idx", BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[bytes] = mapped_column(LargeBinary(32))


class Checkpoint(Base):
    """A signed statement of the tree's size and root (C2SP tlog-checkpoint, signed-note)."""

    __tablename__ = "audit_checkpoints"

    tree_size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    note: Mapped[str] = mapped_column(Text)
    made_at: Mapped[datetime]
