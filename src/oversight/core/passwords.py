"""The password policy: 12 to 128 characters, not the account's e-mail, not one of the
100,000 most common passwords (whatever the case), not one character repeated, not only
whitespace.

The list is SecLists' ``Passwords/Common-Credentials/10-million-password-list-top-100000.txt``
(the 100,000 most frequent of Mark Burnett's ten million leaked passwords; SecLists is MIT
licensed), shipped verbatim and gzipped as ``oversight/data/common-passwords.txt.gz``, with its
provenance and licence beside it. It is read the first time a password is checked, never at
start-up, and never over the network.
"""

from __future__ import annotations

import gzip
from functools import cache
from importlib.resources import files

MIN_LENGTH = 12
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = "common-passwords.txt.gz"


@cache
def common_passwords() -> frozenset[str]:
    """The listed passwords, lower-cased, that a password of an allowed length could equal:
    about 500 of the 100,000, since the length rule already refuses every shorter one."""
    packed = files("oversight").joinpath("data").joinpath(COMMON_PASSWORDS_FILE).read_bytes()
    listed = gzip.decompress(packed).decode("utf-8").splitlines()
    return frozenset(entry.lower() for entry in listed if len(entry) >= MIN_LENGTH)


def broken_rule(password: str, email: str | None = None) -> str | None:
    """The first rule ``password`` breaks, as the message a person reads, or None."""
    if len(password) < MIN_LENGTH:
        return f"the password must have at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"the password must have at most {MAX_LENGTH} characters"
    if not password.strip():
        return "the password must not be only whitespace"
    if len(set(password)) == 1:
        return "the password must not be one character repeated"
    if email is not None and password.strip().lower() == email.lower():
        return "the password must not be the e-mail address"
    if password.lower() in common_passwords():
        return "the password is one of the 100,000 most common passwords; choose another"
    return None
