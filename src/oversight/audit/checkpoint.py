"""Signed checkpoints of the audit log's Merkle tree: C2SP tlog-checkpoint bodies in C2SP signed
notes (the format of golang.org/x/mod/sumdb/note), signed with Ed25519.

A checkpoint body is the log's origin, the tree size and the base64 root hash, one a line, then
any extension lines. A note is a text ending in a newline, a blank line, then one line per
signature: ``— <key name> base64(key ID || signature)``. Keys are text: the verifier key
``<name>+<key ID in hex>+base64(0x01 || public key)`` is published, the signer key
``PRIVATE+KEY+<name>+<key ID in hex>+base64(0x01 || seed)`` is a secret. A key ID is the first
four bytes of SHA-256(name || "\\n" || 0x01 || public key).
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from oversight.audit.merkle import HASH_SIZE

#: The signed-note signature type of Ed25519.
ED25519 = b"\x01"
SIGNATURE_PREFIX = "\u2014 "
#: More signatures than this and a note is refused (the specification asks for at least 16).
MAX_SIGNATURES = 100
MAX_TREE_SIZE = 2**64 - 1

_LINE_CONTROL = re.compile(r"[\x00-\x1f]")
#: Control characters but newline, and lone surrogates (not UTF-8).
_NOTE_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\ud800-\udfff]")
#: Pluses, Unicode spaces, control characters and lone surrogates (not UTF-8).
_NOT_IN_NAME = re.compile(r"[+\s\x00-\x1f\ud800-\udfff]")
#: ASCII decimal without leading zeroes, at most 20 digits (2**64 - 1 has 20).
_SIZE = re.compile(r"0|[1-9][0-9]{0,19}")


class MalformedCheckpoint(ValueError):
    """A checkpoint body that is not in the tlog-checkpoint format."""


class NoteError(ValueError):
    """A signed note, or a key, that cannot be used."""


class MalformedNote(NoteError):
    """Text that is not a signed note, or a body that cannot be signed."""


class MalformedKey(NoteError):
    """A signer or verifier key, or a key name, that is not in the signed-note format."""


class UnverifiedNote(NoteError):
    """No signature in the note is by a known key."""


class BadSignature(NoteError):
    """A signature by a known key does not verify: the whole note is refused."""


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if any(not line or _LINE_CONTROL.search(line) for line in (self.origin, *self.extensions)):
            raise MalformedCheckpoint(
                "The origin and each extension line are non-empty, on one line, "
                "without control characters."
            )
        if not 0 <= self.size <= MAX_TREE_SIZE:
            raise MalformedCheckpoint(f"A tree size is from 0 to 2**64 - 1, not {self.size}.")
        if len(self.root) != HASH_SIZE:
            raise MalformedCheckpoint(f"A root hash is {HASH_SIZE} bytes, not {len(self.root)}.")

    def body(self) -> str:
        lines = (self.origin, str(self.size), b64(self.root), *self.extensions)
        return "".join(f"{line}\n" for line in lines)

    @classmethod
    def parse(cls, body: str) -> Checkpoint:
        """The checkpoint in a note's body; ``MalformedCheckpoint`` unless the body is exactly
        what ``body()`` would write."""
        if not body.endswith("\n"):
            raise MalformedCheckpoint("A checkpoint body ends with a newline.")
        lines = body[:-1].split("\n")
        if len(lines) < 3:
            raise MalformedCheckpoint("A checkpoint body has an origin, a size and a root hash.")
        origin, size, root, *extensions = lines
        if not _SIZE.fullmatch(size):
            raise MalformedCheckpoint(f"Not a tree size: {size!r}.")
        raw = _b64decode(root)
        if raw is None:
            raise MalformedCheckpoint(f"Not a root hash in standard base64: {root!r}.")
        return cls(origin, int(size), raw, tuple(extensions))


def generate_key(name: str) -> tuple[str, str]:
    """A new Ed25519 key for ``name``: (signer key, verifier key). The signer key is a secret."""
    if not _valid_name(name):
        raise MalformedKey(f"Not a key name: {name!r}.")
    seed = Ed25519PrivateKey.generate().private_bytes_raw()
    key_id = _key_id(name, _public(seed))
    signer_key = f"PRIVATE+KEY+{name}+{key_id.hex()}+{b64(ED25519 + seed)}"
    return signer_key, _verifier_key(name, key_id, seed)


def verifier_key(signer_key: str) -> str:
    """The verifier key that goes with ``signer_key``."""
    return _verifier_key(*_parse_key(signer_key, private=True))


def sign(body: str, signer_key: str) -> str:
    """The note of ``body`` (text ending in a newline) signed with ``signer_key``."""
    name, key_id, seed = _parse_key(signer_key, private=True)
    if not body.endswith("\n"):
        raise MalformedNote("A note's text ends with a newline.")
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(_note_bytes(body))
    return f"{body}\n{SIGNATURE_PREFIX}{name} {b64(key_id + signature)}\n"


def open(note: str, verifier_keys: Iterable[str]) -> tuple[str, list[str]]:
    """The text of ``note`` and the names of the known keys whose signatures verified, in the
    note's order. Signatures by unknown keys are ignored; a note with a signature by a known key
    that does not verify is refused (``BadSignature``), as is one with none by a known key
    (``UnverifiedNote``)."""
    known: dict[tuple[str, bytes], bytes] = {}
    for key in verifier_keys:
        name, key_id, public = _parse_key(key, private=False)
        known[(name, key_id)] = public
    _note_bytes(note)
    split = note.rfind("\n\n")
    if split < 0:
        raise MalformedNote("A note has a blank line before its signatures.")
    text, signatures = note[: split + 1], note[split + 2 :]
    lines = signatures.split("\n")
    if len(lines) < 2 or lines.pop() != "":
        raise MalformedNote("A note ends with signature lines, each ending with a newline.")
    if len(lines) > MAX_SIGNATURES:
        raise MalformedNote(f"A note has at most {MAX_SIGNATURES} signatures.")
    message = text.encode()
    names: list[str] = []
    for line in lines:
        name, key_id, signature = _parse_signature(line)
        known_key = known.get((name, key_id))
        if known_key is None:
            continue
        try:
            Ed25519PublicKey.from_public_bytes(known_key).verify(signature, message)
        except InvalidSignature:
            raise BadSignature(f"The signature by {name}+{key_id.hex()} does not verify.") from None
        if name not in names:
            names.append(name)
    if not names:
        raise UnverifiedNote("No signature in the note is by a known key.")
    return text, names


def _parse_key(key: str, *, private: bool) -> tuple[str, bytes, bytes]:
    """The name, key ID and key (seed or public key) of an encoded key, whose key ID matches."""
    parts = key.split("+", 4 if private else 2)
    if private:
        if parts[:2] != ["PRIVATE", "KEY"]:
            raise MalformedKey("A signer key starts with PRIVATE+KEY+.")
        parts = parts[2:]
    if len(parts) != 3:
        raise MalformedKey("A key is <name>+<key ID>+<key>.")
    name, key_id, encoded = parts
    raw = _b64decode(encoded)
    if not _valid_name(name) or raw is None or len(raw) != 33 or raw[:1] != ED25519:
        raise MalformedKey(f"Not an Ed25519 key for a valid name: {name!r}.")
    public = _public(raw[1:]) if private else raw[1:]
    if _key_id(name, public).hex() != key_id:
        raise MalformedKey(f"The key ID {key_id!r} does not match the key.")
    return name, bytes.fromhex(key_id), raw[1:]


def _parse_signature(line: str) -> tuple[str, bytes, bytes]:
    """The key name, key ID and signature of a signature line."""
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNote(f"Not a signature line: {line!r}.")
    name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    raw = _b64decode(encoded)
    if not _valid_name(name) or raw is None:
        raise MalformedNote(f"Not a signature line: {line!r}.")
    if len(raw) < 5:
        raise MalformedNote(f"A signature is a key ID and at least one byte: {line!r}.")
    return name, raw[:4], raw[4:]


def _note_bytes(text: str) -> bytes:
    """``text`` in UTF-8; ``MalformedNote`` if it holds control characters other than newlines
    (or lone surrogates)."""
    if _NOTE_CONTROL.search(text):
        raise MalformedNote("A note is UTF-8 text without control characters but newlines.")
    return text.encode()


def _verifier_key(name: str, key_id: bytes, seed: bytes) -> str:
    return f"{name}+{key_id.hex()}+{b64(ED25519 + _public(seed))}"


def _valid_name(name: str) -> bool:
    return bool(name) and not _NOT_IN_NAME.search(name)


def _key_id(name: str, public: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + ED25519 + public).digest()[:4]


def _public(seed: bytes) -> bytes:
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def b64(raw: bytes) -> str:
    """Standard, padded base64, as signed notes, keys and the public API write it."""
    return base64.b64encode(raw).decode("ascii")


def _b64decode(text: str) -> bytes | None:
    """Standard, padded base64 as ``b64`` writes it, or None."""
    try:
        raw = base64.b64decode(text)
    except ValueError:
        return None
    return raw if b64(raw) == text else None
