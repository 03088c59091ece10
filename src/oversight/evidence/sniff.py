"""What a file is, decided by its bytes: the allow-list, the signatures that identify each type,
and whether a declared type or a name's extension agrees. File names are sanitised here too.

Written by hand: the allow-list is eleven types with fixed signatures; a general sniffing
library (libmagic) would be a native dependency answering for thousands of types we refuse.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass, field

#: How many leading bytes decide the type.
HEAD_BYTES = 64

JPEG = "image/jpeg"
PNG = "image/png"
WEBP = "image/webp"
HEIC = "image/heic"
PDF = "application/pdf"
MP4 = "video/mp4"
QUICKTIME = "video/quicktime"
MP3 = "audio/mpeg"
M4A = "audio/mp4"
WAV = "audio/wav"
TEXT = "text/plain"

ALLOWED = (JPEG, PNG, WEBP, HEIC, PDF, MP4, QUICKTIME, MP3, M4A, WAV, TEXT)

#: What a client may declare for each type (the names in use besides the registered one).
ALIASES: dict[str, str] = {
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "image/heif": HEIC,
    "audio/mp3": MP3,
    "audio/x-m4a": M4A,
    "audio/m4a": M4A,
    "audio/x-wav": WAV,
    "audio/wave": WAV,
    "audio/vnd.wave": WAV,
}
#: A declaration that says nothing about the type.
UNDECLARED = frozenset({"", "application/octet-stream", "binary/octet-stream"})

EXTENSIONS: dict[str, str] = {
    "jpg": JPEG,
    "jpeg": JPEG,
    "jpe": JPEG,
    "png": PNG,
    "webp": WEBP,
    "heic": HEIC,
    "heif": HEIC,
    "pdf": PDF,
    "mp4": MP4,
    "m4v": MP4,
    "mov": QUICKTIME,
    "qt": QUICKTIME,
    "mp3": MP3,
    "m4a": M4A,
    "wav": WAV,
    "txt": TEXT,
    "text": TEXT,
    "log": TEXT,
    "md": TEXT,
    "csv": TEXT,
}
#: The extension a file of each type is given when its name has none that fits.
EXTENSION_OF = {
    JPEG: "jpg",
    PNG: "png",
    WEBP: "webp",
    HEIC: "heic",
    PDF: "pdf",
    MP4: "mp4",
    QUICKTIME: "mov",
    MP3: "mp3",
    M4A: "m4a",
    WAV: "wav",
    TEXT: "txt",
}

_HEIC_BRANDS = frozenset({b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"})
_M4A_BRANDS = frozenset({b"M4A ", b"M4B "})
_QUICKTIME_BRANDS = frozenset({b"qt  "})
_MP4_BRANDS = frozenset(
    {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"mmp4",
     b"dash", b"3gp4", b"3gp5", b"3g2a", b"MSNV", b"f4v "}
)  # fmt: skip
#: QuickTime files without an ``ftyp`` box start with one of these atoms.
_QUICKTIME_ATOMS = frozenset({b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"})
#: MPEG audio frame sync: 11 set bits, a valid version and layer III.
_MP3_SYNC = frozenset({b"\xff\xfb", b"\xff\xf3", b"\xff\xf2", b"\xff\xfa", b"\xff\xe3"})


def sniff_binary(head: bytes) -> str | None:
    """The binary type on the allow-list that ``head`` (the first ``HEAD_BYTES``) starts, if
    any. Plain text is decided over the whole file (``TextCheck``)."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"%PDF-"):
        return PDF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return WAV
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIC_BRANDS:
            return HEIC
        if brand in _M4A_BRANDS:
            return M4A
        if brand in _QUICKTIME_BRANDS:
            return QUICKTIME
        if brand in _MP4_BRANDS:
            return MP4
        return None
    if head[4:8] in _QUICKTIME_ATOMS:
        return QUICKTIME
    if head.startswith(b"ID3") or head[:2] in _MP3_SYNC:
        return MP3
    return None


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass
class TextCheck:
    """Whether a whole stream is plain text: UTF-8 (a BOM allowed), no NUL and no control
    character but tab, line feed, form feed and carriage return. Fed chunk by chunk."""

    decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8-sig")()
    )
    ok: bool = True

    def feed(self, chunk: bytes, final: bool = False) -> None:
        if not self.ok:
            return
        try:
            text = self.decoder.decode(chunk, final)
        except UnicodeDecodeError:
            self.ok = False
            return
        if _CONTROL.search(text):
            self.ok = False


def declared_type(value: str | None) -> str:
    """A declared ``Content-Type`` without its parameters, lower case, aliases resolved."""
    bare = (value or "").split(";", 1)[0].strip().lower()
    return ALIASES.get(bare, bare)


def disagreement(media_type: str, declared: str | None, filename: str) -> str | None:
    """Why the declared type or the name's extension contradicts the bytes, or None."""
    said = declared_type(declared)
    if said not in UNDECLARED and said != media_type:
        return f"The file was sent as {said} but its bytes are {media_type}."
    stem, dot, extension = filename.rpartition(".")
    if dot and stem:
        named = EXTENSIONS.get(extension.lower())
        if named is None:
            return f"Files named .{extension.lower()} are not accepted."
        if named != media_type:
            return f"The name says {named} (.{extension.lower()}) but the bytes are {media_type}."
    return None


#: Longest file name kept (characters).
MAX_NAME = 200


def sanitize(raw: str | None, media_type: str) -> str:
    """A file name safe to store and to send back: the last path component only, NFC, no
    control or format characters, no leading dots, at most ``MAX_NAME`` characters; a name
    left empty becomes ``attachment`` with the type's extension."""
    name = unicodedata.normalize("NFC", raw or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = name.strip().lstrip(".").strip()
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        keep = MAX_NAME - len(extension) - 1
        name = f"{stem[:keep]}.{extension}" if dot and len(extension) <= 10 else name[:MAX_NAME]
    return name or f"attachment.{EXTENSION_OF[media_type]}"
