"""Search documents and queries that work for German, English and Chinese text alike.

A record's search document is its texts normalised (Unicode NFKC, case-folded, German umlauts and ß
folded) plus the pinyin of any Chinese, so "muller", "Müller", "yangzhou" and "扬州" all find what a
person expects. A query is split into terms (Chinese segmented into words); a record matches when its
document contains every term. Plain substring matching works the same on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from partnerhub.engines.scripts import has_han
from partnerhub.engines.transliteration import pinyin_syllables, segment

_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss", "é": "e", "è": "e", "à": "a"})
_SEPARATORS = re.compile(r"[\s,;:/|()\[\]{}\"'“”‘’«»„。，、；：（）！？!?]+")


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD)
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c))


def build_document(texts: Iterable[str | None]) -> str:
    """One lower-case line holding every text and, for Chinese, its pinyin (joined per word and spaced)."""
    parts: list[str] = []
    for text in texts:
        if not text:
            continue
        parts.append(normalise(text))
        if has_han(text):
            words = [w for w in segment(text) if has_han(w)]
            parts.append(" ".join("".join(pinyin_syllables(w)) for w in words))
    return " \n ".join(parts)


def query_terms(query: str) -> list[str]:
    """Terms of a user's query; Chinese runs are segmented into words, single characters kept only alone."""
    terms: list[str] = []
    for chunk in _SEPARATORS.split(query.strip()):
        if not chunk:
            continue
        if has_han(chunk):
            words = [w for w in segment(chunk) if w.strip()]
            terms.extend(normalise(w) for w in words)
        else:
            terms.append(normalise(chunk))
    seen: set[str] = set()
    unique = []
    for term in terms:
        if term and term not in seen:
            seen.add(term)
            unique.append(term)
    return unique


def matches(document: str, terms: list[str]) -> bool:
    return all(term in document for term in terms)
