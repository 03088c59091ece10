"""Where attachments' bytes are kept: one small interface over obstore's directory and S3
stores. Objects are keyed by their SHA-256 (``sha256/ab/abcdef...``), written once, never
changed or deleted through the service, and never publicly readable (the bucket's own policy:
nothing here makes an object public).

An upload streams to a staging file first (``Store.staging``): only a file that was hashed,
typed and scanned is kept, by a rename on a disk or a multipart put to S3.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import obstore
from obstore.exceptions import AlreadyExistsError, BaseError, NotFoundError
from obstore.store import LocalStore, ObjectStore, S3Store

if TYPE_CHECKING:
    from obstore import GetOptions

from oversight.core.config import Settings
from oversight.core.errors import ServiceUnavailable

#: Parts of a multipart put in flight at once: with 5 MiB parts, at most 20 MiB buffered.
PUT_CONCURRENCY = 4
#: The size of each chunk read back from the store.
READ_CHUNK = 256 * 1024
UNREACHABLE = "The attachment store is unavailable; nothing was kept."


class Missing(Exception):
    """No object under this key."""


def object_key(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256}"


@dataclass
class Store:
    objects: ObjectStore
    staging: Path
    #: ``file://``: staging is on the store's own file system and a kept file is renamed.
    local_root: Path | None = None

    def staged(self) -> Path:
        """A new staging file's path (the file is not created)."""
        self.staging.mkdir(parents=True, exist_ok=True)
        return self.staging / f"{uuid.uuid4().hex}.part"

    async def keep(self, staged: Path, sha256: str) -> None:
        """Keep the staged file under its hash (a no-op if the same bytes are kept already),
        then remove it from staging. 503 when the store cannot take it."""
        key = object_key(sha256)
        try:
            if self.local_root is not None:
                target = self.local_root / key
                await asyncio.to_thread(_rename, staged, target)
                return
            with contextlib.suppress(AlreadyExistsError):
                await obstore.put_async(
                    self.objects,
                    key,
                    staged,
                    mode="create",
                    max_concurrency=PUT_CONCURRENCY,
                )
        except (OSError, BaseError) as exc:
            raise ServiceUnavailable(UNREACHABLE) from exc
        finally:
            await asyncio.to_thread(staged.unlink, missing_ok=True)

    async def read(
        self, sha256: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        """The object's bytes from ``start`` up to ``end`` (exclusive; the end if None)."""
        options: GetOptions = {}
        if end is not None:
            options["range"] = (start, end)
        elif start:
            options["range"] = {"offset": start}
        try:
            result = await obstore.get_async(self.objects, object_key(sha256), options=options)
            async for chunk in result.stream(min_chunk_size=READ_CHUNK):
                yield bytes(chunk)
        except (NotFoundError, FileNotFoundError) as exc:  # a directory's: FileNotFoundError
            raise Missing(sha256) from exc

    async def check(self, sha256: str) -> str | None:
        """What is wrong with the object kept under ``sha256`` (missing, or its bytes hash
        otherwise), or None."""
        digest = hashlib.sha256()
        try:
            async for chunk in self.read(sha256):
                digest.update(chunk)
        except Missing:
            return f"missing  {sha256}"
        if digest.hexdigest() != sha256:
            return f"altered  {sha256} (its bytes hash to {digest.hexdigest()})"
        return None


def _rename(staged: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    # A rename on one file system, a copy across two; the same bytes if it existed already.
    shutil.move(staged, target)


def open_store(settings: Settings) -> Store:
    """The store ``attachments_store`` names."""
    parts = urlsplit(settings.attachments_store)
    if parts.scheme == "file":
        root = Path(parts.netloc + parts.path).resolve()
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(settings.attachments_staging or root / "incoming")
        return Store(LocalStore(prefix=root), staging, local_root=root)
    config: dict[str, str | bool] = {"region": settings.s3_region}
    client: dict[str, str | bool] = {}
    if settings.s3_endpoint_url:
        config["endpoint"] = settings.s3_endpoint_url
        client["allow_http"] = settings.s3_endpoint_url.startswith("http://")
    objects = S3Store(
        parts.netloc,
        prefix=parts.path.strip("/") or None,
        config=config,  # type: ignore[arg-type]
        client_options=client,  # type: ignore[arg-type]
    )
    staging = Path(settings.attachments_staging or Path(tempfile.gettempdir()) / "oversight")
    return Store(objects, staging)
