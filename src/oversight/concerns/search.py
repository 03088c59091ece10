"""The concern search (``GET /concerns?q=``) on SQLite, matching what PostgreSQL does.

PostgreSQL reads ``q`` with ``websearch_to_tsquery('english', q)`` against an English-stemmed
index: words are stemmed, English stop words ignored, ``"quoted words"`` are a phrase, ``or``
joins alternatives, ``-word`` excludes. SQLite searches an FTS5 index with the Porter stemmer
(migration 20261126_09); this module turns the same ``q`` into an FTS5 query with the same
meaning, dropping the stop words PostgreSQL drops (its ``english.stop`` list), so that a query
matches the same concerns on both. Known difference: PostgreSQL's English stemmer is Snowball's
"Porter 2", FTS5's the original Porter; they agree on ordinary inflections (pushed, pushing,
pushes) and differ on a few rarer words.
"""

from __future__ import annotations

import re

#: PostgreSQL's tsearch_data/english.stop (127 words).
STOP_WORDS = frozenset(
    """i me my myself we our ours ourselves you your yours yourself yourselves he him his himself
    she her hers herself it its itself they them their theirs themselves what which who whom this
    that these those am is are was were be been being have has had having do does did doing a an
    the and but if or because as until while of at by for with about against between into through
    during before after above below to from up down in out on off over under again further then
    once here there when where why how all any both each few more most other some such no nor not
    only own same so than too very s t can will just don should now""".split()  # noqa: SIM905
)
_CLAUSE = re.compile(r'(-?)"([^"]*)"?|(-?)(\S+)')
_WORD = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 tokenizer splits


def _term(text: str) -> str | None:
    """One search term as FTS5 reads it: a word, a phrase, or words near each other where stop
    words stood between them (PostgreSQL's ``<N>`` distance); None if only stop words."""
    words = [w.lower() for w in _WORD.findall(text)]
    kept = [w for w in words if w not in STOP_WORDS]
    if not kept:
        return None
    quoted = " ".join(f'"{w}"' for w in kept)
    if len(kept) == 1:
        return quoted
    if len(kept) == len(words):
        return " + ".join(f'"{w}"' for w in kept)  # a phrase: adjacent, in order
    return f"NEAR({quoted}, {len(words) - len(kept)})"


def fts5_query(q: str) -> str | None:
    """``q`` in websearch syntax as an FTS5 query; None when nothing is left to match (only stop
    words, or only exclusions), which matches nothing, as on PostgreSQL."""
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    for match in _CLAUSE.finditer(q):
        negated, text = (match[1], match[2]) if match[2] is not None else (match[3], match[4])
        if not negated and match[2] is None and text.lower() == "or":
            groups.append(([], []))
            continue
        if (term := _term(text)) is not None:
            groups[-1][1 if negated else 0].append(term)
    alternatives = [
        "(" + " AND ".join(wanted) + ")" + "".join(f" NOT {term}" for term in unwanted)
        for wanted, unwanted in groups
        if wanted
    ]
    return " OR ".join(f"({a})" for a in alternatives) or None
