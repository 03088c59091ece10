"""Checkpoints and signed notes, against golang.org/x/mod/sumdb/note's own vectors
(github.com/golang/mod at fe2ec04f7c3c3aa6fad97631aafcff6e49e2d1db, sumdb/note/note_test.go) and
the examples of C2SP (github.com/C2SP/C2SP at 5ba5ee830903e91240fc6f9f3a7a9293d49e69c9,
signed-note.md and tlog-checkpoint.md)."""

from __future__ import annotations

import base64
import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oversight.audit import checkpoint
from oversight.audit.checkpoint import (
    BadSignature,
    Checkpoint,
    MalformedCheckpoint,
    MalformedKey,
    MalformedNote,
    NoteError,
    UnverifiedNote,
)

PETER_SIGNER = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
PETER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_SIG = "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
ENOCH_SIG = "— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
NOTE = f"{TEXT}\n{PETER_SIG}"

C2SP_KEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
C2SP_NOTE = (
    "This is an example message.\n"
    "\n"
    "— example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
C2SP_CHECKPOINT = (
    "example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n"
)


def test_the_go_key_pair() -> None:
    assert checkpoint.verifier_key(PETER_SIGNER) == PETER
    key_id = base64.b64decode(PETER_SIG.split()[-1])[:4]
    assert key_id.hex() == "c74f20a3"


def test_signing_gives_the_go_signature() -> None:
    assert checkpoint.sign(TEXT, PETER_SIGNER) == NOTE


def test_the_go_note_opens() -> None:
    assert checkpoint.open(NOTE, [PETER]) == (TEXT, ["PeterNeumann"])


def test_the_c2sp_note_opens() -> None:
    assert checkpoint.open(C2SP_NOTE, [C2SP_KEY]) == (
        "This is an example message.\n",
        ["example.com/foo"],
    )


def test_signatures_by_unknown_keys_are_ignored() -> None:
    both = f"{TEXT}\n{PETER_SIG}{ENOCH_SIG}"
    assert checkpoint.open(both, [PETER]) == (TEXT, ["PeterNeumann"])
    assert checkpoint.open(both, [ENOCH]) == (TEXT, ["EnochRoot"])
    assert checkpoint.open(both, [ENOCH, PETER]) == (TEXT, ["PeterNeumann", "EnochRoot"])
    assert checkpoint.open(f"{TEXT}\n{PETER_SIG}{PETER_SIG}", [PETER]) == (TEXT, ["PeterNeumann"])


def test_a_note_without_a_known_signature_is_refused() -> None:
    with pytest.raises(UnverifiedNote):
        checkpoint.open(NOTE, [ENOCH])
    with pytest.raises(UnverifiedNote):
        checkpoint.open(NOTE, [])


def test_a_bad_signature_by_a_known_key_is_refused() -> None:
    mangled = f"{TEXT}\n{PETER_SIG[:60]}ABCD{PETER_SIG[60:]}"
    with pytest.raises(BadSignature, match=r"PeterNeumann\+c74f20a3"):
        checkpoint.open(mangled, [PETER])
    # Even next to a good signature; a bad signature by an unknown key is ignored.
    with pytest.raises(BadSignature):
        checkpoint.open(f"{TEXT}\n{ENOCH_SIG}{PETER_SIG[:60]}ABCD{PETER_SIG[60:]}", [PETER, ENOCH])
    assert checkpoint.open(mangled + ENOCH_SIG, [ENOCH]) == (TEXT, ["EnochRoot"])


def test_an_altered_text_is_refused() -> None:
    with pytest.raises(BadSignature):
        checkpoint.open(NOTE.replace("problem,", "problem;"), [PETER])


def test_another_keys_signature_is_refused() -> None:
    signer, verifier = checkpoint.generate_key("PeterNeumann")
    forged = checkpoint.sign(TEXT, signer)
    with pytest.raises(UnverifiedNote):
        checkpoint.open(forged, [PETER])
    # The other key's signature under Peter's key ID.
    signature = base64.b64decode(forged.split()[-1])[4:]
    claimed = base64.b64encode(bytes.fromhex("c74f20a3") + signature).decode()
    with pytest.raises(BadSignature):
        checkpoint.open(f"{TEXT}\n— PeterNeumann {claimed}\n", [PETER])
    assert checkpoint.open(forged, [PETER, verifier]) == (TEXT, ["PeterNeumann"])


@pytest.mark.parametrize(
    "note",
    [
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + NOTE,
        "\ud800" + NOTE,
        TEXT + "\n— Bad Name " + PETER_SIG.split()[-1] + "\n",
        NOTE + "Unexpected line.\n",
        NOTE + "\n",
        TEXT + "\n— PeterNeumann\n",
        TEXT + "\n— PeterNeumann AAAAAA==\n",
        TEXT + "\n- PeterNeumann " + PETER_SIG.split()[-1] + "\n",
        TEXT + "\n— PeterNeumann " + PETER_SIG.split()[-1].rstrip("=") + "\n",
        TEXT + "\n" + PETER_SIG * 101,
    ],
    ids=repr,
)
def test_malformed_notes_are_refused(note: str) -> None:
    with pytest.raises(MalformedNote):
        checkpoint.open(note, [PETER])


def manglings(key: str) -> list[str]:
    """Every part of ``key`` but the whole, and ``key`` with each character shifted by one
    (as note_test.go's TestNewVerifier and TestNewSigner do)."""
    parts = [key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)]
    shifted = [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    return [mangled for mangled in parts + shifted if mangled != key]


def test_mangled_verifier_keys_are_refused() -> None:
    wrong_length = "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=="
    unknown_type = "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
    for key in [*manglings(PETER), wrong_length, unknown_type]:
        with pytest.raises(MalformedKey):
            checkpoint.open(NOTE, [key])


def test_mangled_signer_keys_are_refused() -> None:
    for key in [*manglings(PETER_SIGNER), PETER]:
        with pytest.raises(MalformedKey):
            checkpoint.sign(TEXT, key)


@pytest.mark.parametrize(
    "name",
    ["", "a+b", "a b", "a\tb", "a\nb", "a\u00a0b", "a\u2003b", "a\u3000b", "a\x01b"],
    ids=repr,
)
def test_key_names_follow_the_specification(name: str) -> None:
    with pytest.raises(MalformedKey, match="Not a key name"):
        checkpoint.generate_key(name)


def test_generated_keys_sign_and_verify() -> None:
    signer, verifier = checkpoint.generate_key("oversight.example/audit")
    assert verifier.startswith("oversight.example/audit+")
    assert checkpoint.verifier_key(signer) == verifier
    note = checkpoint.sign(TEXT, signer)
    assert checkpoint.open(note, [verifier]) == (TEXT, ["oversight.example/audit"])
    assert checkpoint.open(note + PETER_SIG, [verifier, PETER]) == (
        TEXT,
        ["oversight.example/audit", "PeterNeumann"],
    )


@pytest.mark.parametrize("body", ["no final newline", "a\rb\n", "\ud800\n"], ids=repr)
def test_unsignable_text_is_refused(body: str) -> None:
    with pytest.raises(MalformedNote):
        checkpoint.sign(body, PETER_SIGNER)


def test_the_errors_are_value_errors() -> None:
    for error in (MalformedNote, MalformedKey, UnverifiedNote, BadSignature):
        assert issubclass(error, NoteError)
    assert issubclass(NoteError, ValueError)
    assert issubclass(MalformedCheckpoint, ValueError)


ROOT = bytes(range(32))


def test_a_checkpoint_body() -> None:
    body = Checkpoint("oversight.example/audit", 12, ROOT, ("ext one", "ext two")).body()
    assert body == (
        "oversight.example/audit\n12\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\next one\next two\n"
    )
    assert Checkpoint("o", 0, ROOT).body() == f"o\n0\n{base64.b64encode(ROOT).decode()}\n"


def test_the_c2sp_checkpoint_parses() -> None:
    parsed = Checkpoint.parse(C2SP_CHECKPOINT)
    assert parsed.origin == "example.com/behind-the-sofa"
    assert parsed.size == 20852163
    assert parsed.root == base64.b64decode("CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=")
    assert parsed.extensions == ()
    assert parsed.body() == C2SP_CHECKPOINT


@given(
    st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1),
    st.integers(0, 2**64 - 1),
    st.binary(min_size=32, max_size=32),
    st.lists(st.text(st.characters(min_codepoint=0x20, exclude_categories=["Cs"]), min_size=1)),
)
def test_checkpoints_survive_signing(
    origin: str, size: int, root: bytes, extensions: list[str]
) -> None:
    signed = Checkpoint(origin, size, root, tuple(extensions))
    text, _ = checkpoint.open(checkpoint.sign(signed.body(), PETER_SIGNER), [PETER])
    assert Checkpoint.parse(text) == signed


B64 = base64.b64encode(ROOT).decode()


@pytest.mark.parametrize(
    "body",
    [
        f"o\n1\n{B64}",
        "o\n1\n",
        f"\n1\n{B64}\n",
        f"o\n01\n{B64}\n",
        f"o\n-1\n{B64}\n",
        f"o\n+1\n{B64}\n",
        f"o\n 1\n{B64}\n",
        f"o\n1.0\n{B64}\n",
        f"o\n\n{B64}\n",
        f"o\n\u0661\n{B64}\n",
        f"o\n{2**64}\n{B64}\n",
        f"o\n{'9' * 5000}\n{B64}\n",
        f"o\n1\n{B64[:-2]}f=\n",
        f"o\n1\n{B64.rstrip('=')}\n",
        f"o\n1\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"o\n1\n{base64.b64encode(ROOT + b'!').decode()}\n",
        f"o\n1\n{base64.b64encode(bytes([0xFB] * 32)).decode().replace('+', '-')}\n",
        f"o\n1\n{B64}\n\n",
        f"o\n1\n{B64}\n\next\n",
        f"o\r\n1\n{B64}\n",
        f"o\n1\n{B64}\next\r\n",
    ],
    ids=repr,
)
def test_malformed_checkpoints_are_refused(body: str) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint.parse(body)


@pytest.mark.parametrize(
    ("origin", "size", "root", "extensions"),
    [
        ("", 1, ROOT, ()),
        ("a\nb", 1, ROOT, ()),
        ("o", -1, ROOT, ()),
        ("o", 2**64, ROOT, ()),
        ("o", 1, ROOT[:31], ()),
        ("o", 1, ROOT, ("",)),
        ("o", 1, ROOT, ("a\nb",)),
    ],
    ids=repr,
)
def test_impossible_checkpoints_are_refused(
    origin: str, size: int, root: bytes, extensions: tuple[str, ...]
) -> None:
    with pytest.raises(MalformedCheckpoint):
        Checkpoint(origin, size, root, extensions)


def spliced(text: str) -> st.SearchStrategy[str]:
    """``text`` with arbitrary text cut into it, or arbitrary text."""
    return st.one_of(
        st.text(),
        st.builds(
            lambda at, inserted: text[:at] + inserted + text[at:],
            st.integers(0, len(text)),
            st.text(max_size=5),
        ),
    )


@given(spliced(NOTE))
def test_any_text_opens_or_is_refused_as_a_note(note: str) -> None:
    with contextlib.suppress(NoteError):
        assert checkpoint.open(note, [PETER])[1] == ["PeterNeumann"]


@given(spliced(C2SP_CHECKPOINT))
def test_any_text_parses_or_is_refused_as_a_checkpoint(body: str) -> None:
    with contextlib.suppress(MalformedCheckpoint):
        assert Checkpoint.parse(body).body() == body
