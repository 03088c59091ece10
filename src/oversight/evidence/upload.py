"""Receiving an upload: the request's multipart body streamed chunk by chunk (python-multipart's
parser, never the whole body in memory) into a staging file, hashed (SHA-256), scanned by clamd
when one is configured, and typed by its bytes; refused with nothing left behind when it is over
the size limit, cut off, not on the allow-list, at odds with its declared type or name, or
infected."""

from __future__ import annotations

import errno
import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from oversight.core.config import Settings
from oversight.core.errors import (
    OversightError,
    ProblemCode,
    ServiceUnavailable,
    TooLarge,
    Unprocessable,
    UnsupportedMedia,
)
from oversight.evidence import sniff
from oversight.evidence.scanner import Infected, Scan
from oversight.evidence.store import Store

#: Room for the multipart framing and the text fields around the file itself.
FRAMING_BYTES = 64 * 1024
MAX_DESCRIPTION = 2000
#: The text fields of an upload, beside its file.
TEXTS = ("description",)
#: The most text fields a form with a file may have (the site's concern form has 11).
MAX_TEXTS = 16


def body_limit(settings: Settings) -> int:
    """The largest body a form with a file may be: the file, and room for its fields."""
    return settings.attachment_max_bytes + FRAMING_BYTES * MAX_TEXTS


@dataclass
class Received:
    """A checked upload, waiting in staging to be kept."""

    staged: Path
    sha256: str
    size: int
    media_type: str
    filename: str
    description: str | None


@dataclass
class Parts:
    """python-multipart's callbacks: which part is streaming, its file bytes, the text fields
    (``texts``: the names allowed, each at most ``FRAMING_BYTES``; ``about``: the one that
    describes the file); a form that carries a file reads its other fields here, even when the
    file is refused."""

    texts: tuple[str, ...] = TEXTS
    about: str | None = "description"
    header_field: bytearray = field(default_factory=bytearray)
    header_value: bytearray = field(default_factory=bytearray)
    headers: dict[bytes, bytes] = field(default_factory=dict)
    current: str | None = None
    filename: str | None = None
    declared: str | None = None
    seen: set[str] = field(default_factory=set)
    data: list[bytes] = field(default_factory=list)
    values: dict[str, bytearray] = field(default_factory=dict)
    ended: bool = False
    error: OversightError | None = None

    def __post_init__(self) -> None:
        if len(self.texts) > MAX_TEXTS:
            raise ValueError(f"a form with a file has at most {MAX_TEXTS} text fields")

    def callbacks(self) -> dict[str, object]:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": lambda d, s, e: self.header_field.extend(d[s:e]),
            "on_header_value": lambda d, s, e: self.header_value.extend(d[s:e]),
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_end": self.end,
        }

    def part_begin(self) -> None:
        self.headers = {}
        self.current = None

    def header_end(self) -> None:
        self.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
        self.header_field.clear()
        self.header_value.clear()

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.headers.get(b"content-disposition"))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        if name != "file" and name not in self.texts:
            known = ", ".join(("file", *self.texts))
            self.fail(Unprocessable(f"Unknown field {name!r}: send {known}."))
        elif name in self.seen:
            self.fail(Unprocessable(f"Send one {name}.", loc=("body", name)))
        self.seen.add(name)
        self.current = name
        if name == "file":
            self.filename = options.get(b"filename", b"").decode("utf-8", "replace")
            self.declared = self.headers.get(b"content-type", b"").decode("latin-1")

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self.error is not None:
            return
        if self.current == "file":
            self.data.append(bytes(data[start:end]))
        elif self.current is not None:
            value = self.values.setdefault(self.current, bytearray())
            value.extend(data[start:end])
            if len(value) > FRAMING_BYTES:
                self.fail(Unprocessable("Too long.", loc=("body", self.current)))

    def end(self) -> None:
        self.ended = True

    def fail(self, error: OversightError) -> None:
        self.error = self.error or error
        self.current = None

    def text(self, name: str) -> str:
        return self.values.get(name, bytearray()).decode("utf-8", "replace")

    def take(self) -> list[bytes]:
        if self.error is not None:
            raise self.error
        taken, self.data = self.data, []
        return taken


def boundary_of(content_type: str | None) -> bytes:
    kind, options = parse_options_header(content_type)
    boundary = options.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise UnsupportedMedia("Send the file as multipart/form-data, in a part named file.")
    return boundary


async def receive(
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
    store: Store,
    settings: Settings,
) -> Received:
    """Stream ``body`` into staging; a ``Received`` when every check passed, else the problem,
    with the staging file removed."""
    received = await receive_form(body, content_type, content_length, store, settings, Parts())
    if received is None:
        raise Unprocessable("Send a non-empty file in the part named file.", loc=("body", "file"))
    return received


async def receive_form(
    body: AsyncIterator[bytes],
    content_type: str | None,
    content_length: str | None,
    store: Store,
    settings: Settings,
    parts: Parts,
) -> Received | None:
    """``receive`` for a form whose file may be left out (None: no file chosen); its text
    fields are in ``parts``."""
    limit = settings.attachment_max_bytes
    framing = FRAMING_BYTES * len(parts.texts)
    if content_length and content_length.isdigit() and int(content_length) > limit + framing:
        raise TooLarge(f"An attachment may have at most {limit} bytes.")
    parser = MultipartParser(boundary_of(content_type), parts.callbacks())  # type: ignore[arg-type]
    # The scanner is reached at the file's first byte: a form sent without a file needs none.
    scan: Scan | None = None
    staged = store.staged()
    hasher = hashlib.sha256()
    text = sniff.TextCheck()
    head = bytearray()
    size = 0
    try:
        with staged.open("wb") as out:
            async for chunk in body:
                try:
                    parser.write(chunk)
                except MultipartParseError as exc:
                    raise Unprocessable("The multipart body is malformed.") from exc
                for piece in parts.take():
                    size += len(piece)
                    if size > limit:
                        raise TooLarge(f"An attachment may have at most {limit} bytes.")
                    out.write(piece)
                    hasher.update(piece)
                    if len(head) < sniff.HEAD_BYTES:
                        head += piece[: sniff.HEAD_BYTES - len(head)]
                    text.feed(piece)
                    if settings.clamd_url:
                        if scan is None:
                            timeout = settings.clamd_timeout_seconds
                            scan = await Scan.start(settings.clamd_url, timeout)
                        await scan.feed(piece)
            parser.finalize()
            parts.take()
        if not parts.ended:
            raise Unprocessable("The upload was cut off before its end.")
        if "file" not in parts.seen or size == 0:
            staged.unlink()
            return None
        text.feed(b"", final=True)
        media_type = sniff.sniff_binary(bytes(head)) or (sniff.TEXT if text.ok else None)
        if media_type is None:
            raise UnsupportedMedia(
                "This type of file is not accepted: send " + ", ".join(sniff.ALLOWED) + "."
            )
        filename = sniff.sanitize(parts.filename, media_type)
        wrong = sniff.disagreement(media_type, parts.declared, filename)
        if wrong is not None:
            raise UnsupportedMedia(wrong)
        if scan is not None:
            try:
                await scan.verdict()
            except Infected as exc:
                raise Unprocessable(
                    f"The malware scanner found {exc} in the file; nothing was kept.",
                    loc=("body", "file"),
                    code=ProblemCode.MALWARE_FOUND,
                ) from exc
        description = (parts.text(parts.about).strip() or None) if parts.about else None
        if description is not None and len(description) > MAX_DESCRIPTION:
            raise Unprocessable("The description is too long.", loc=("body", "description"))
        if description is not None and "\x00" in description:
            raise Unprocessable(
                "The description must not contain NUL characters.", loc=("body", "description")
            )
        return Received(staged, hasher.hexdigest(), size, media_type, filename, description)
    except OSError as exc:
        staged.unlink(missing_ok=True)
        full = exc.errno in {errno.ENOSPC, errno.EDQUOT}
        raise ServiceUnavailable(
            "The attachment store is full; nothing was kept."
            if full
            else "The attachment store is unavailable; nothing was kept."
        ) from exc
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    finally:
        if scan is not None:
            scan.close()
