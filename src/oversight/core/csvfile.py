"""A CSV file an admin imports (a budget, calls for service, a roster): read whole, with every
bad row named by its line number, so that a file is imported all or nothing. No database.

Numbers and dates are read by each importer's rules; this module reads rows and says what is
wrong with them in one line a person can act on."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

#: A problem shows at most this much of the value it refuses (a field may be 128 KiB).
SHOWN = 40
#: A refused file names at most this many bad lines, then counts the rest.
NAMED_PROBLEMS = 10
#: The largest file an import reads.
MAX_FILE_BYTES = 10 * 1024 * 1024


def shown(value: str) -> str:
    """``value`` quoted for a one-line message: escaped (no raw newline), shortened."""
    if len(value) > SHOWN:
        return repr(value[:SHOWN]) + f"... ({len(value)} characters)"
    return repr(value)


class BadFile(ValueError):
    """What is wrong with a file, every bad row named by its line number."""

    def __init__(self, problems: list[str]) -> None:
        named = problems[:NAMED_PROBLEMS]
        if len(problems) > NAMED_PROBLEMS:
            named.append(f"and {len(problems) - NAMED_PROBLEMS} more bad lines")
        super().__init__("; ".join(named))
        self.problems = problems


def rows(
    text: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> Iterable[tuple[int, dict[str, str]]]:
    """Each row as ``(line number, {column: stripped value})``; a header other than
    ``required`` (then any of ``optional``), or a malformed row: ``BadFile``."""
    text = text.lstrip("\ufeff")
    if "\0" in text:  # csv reads it since Python 3.11; PostgreSQL text cannot hold it
        raise BadFile([f"line {text.count(chr(10), 0, text.index(chr(0))) + 1}: a NUL character"])
    reader = csv.DictReader(io.StringIO(text))
    try:
        header = [name.strip().lower() for name in reader.fieldnames or []]
    except csv.Error as exc:  # a field over csv's limit (128 KiB): the line, not a traceback
        raise BadFile([f"line {reader.reader.line_num}: {exc}"]) from exc
    if header[: len(required)] != list(required) or not set(header) <= {*required, *optional}:
        wanted = ",".join([*required, *(f"[{name}]" for name in optional)])
        found = shown(",".join(header)) if header else "empty"
        raise BadFile([f"line 1: the header must be {wanted}, not {found}"])
    twice = sorted({name for name in header if header.count(name) > 1})
    if twice:
        raise BadFile([f"line 1: the header names {', '.join(twice)} twice"])
    reader.fieldnames = header
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise BadFile([f"line {reader.reader.line_num}: {exc}"]) from exc
        if None in row:  # more fields than the header (an unquoted comma in an amount?)
            count = len(header) + len(row[None])
            raise BadFile([f"line {reader.line_num}: {count} fields, the header has {len(header)}"])
        yield reader.line_num, {k: (v or "").strip() for k, v in row.items()}


def decode(data: bytes) -> str:
    """A file's bytes as text; not UTF-8: ``BadFile`` naming the byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadFile([f"not UTF-8 text ({exc.reason} at byte {exc.start})"]) from exc
