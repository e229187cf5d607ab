"""Sentences and passages of German, English and Chinese text, without a language model.

Chinese has no spaces: a sentence ends after 。！？； (and a closing quote or bracket that follows, so
“……。” stays whole). Latin script: a sentence ends at . ! ? followed by a space and a capital letter,
unless the period belongs to an abbreviation ("z. B.", "Dr.", "GmbH & Co. KG", "Dipl.-Ing.") or a German
ordinal ("am 3. Oktober"). A line break always ends a sentence: profile texts come from forms, where a
line is a list item or a paragraph.

Nothing but whitespace is ever dropped: the sentences, joined, are the text minus its whitespace.
"""

from __future__ import annotations

import re

# Lower-cased words that take an abbreviation period in our texts (German and English). Single letters
# ("z. B.", "J. Smith") and words with an inner period ("z.B.", "e.V.", "Dipl.-Ing.") are recognised
# without a list.
ABBREVIATIONS = frozenset(
    """
    abb abs abt akad allg anh anm art bd bearb bes betr bspw bzgl bzw ca chr co corp dgl dipl dr ds
    dt ebd ehem eigtl engl entspr erg etc ev evtl exkl fa fam ff fig frl gbr gegr gem ges gest ggf
    ggü hg hrsg hr hrn inc inkl insb jh jhd jr kap kfm kgl lfd lt ltd max mio min mind mr mrd mrs ms
    nr nrn od pkt pl prof prot rd resp sen sog sr st std str tab tel tsd usw u.a vgl vol vs wg zb zzgl
    zz zt no jan feb mär apr jun jul aug sep sept okt nov dez dec oct
    """.split()
)

_CJK_END = re.compile(r"[。！？；]+[”’」』）)\]\"'》]*")
_LATIN_END = re.compile(r"(?:\.{3}|…|[.!?])+[\"'”’»«)\]]*")
_OPENERS = "\"'“„‚«»‹›(["
_WORD_BEFORE = re.compile(r"(\S+)$")


def _is_cjk(char: str) -> bool:
    code = ord(char)
    return 0x3400 <= code <= 0x9FFF or 0xF900 <= code <= 0xFAFF or 0x20000 <= code <= 0x2FFFF


def _is_abbreviation(line: str, period_at: int) -> bool:
    match = _WORD_BEFORE.search(line, 0, period_at)
    if match is None:
        return False
    word = match.group(1).lstrip(_OPENERS)
    if not word:
        return False
    if len(word) == 1 and word.isalpha():
        return True
    if "." in word:
        return True
    if word.isdigit() and len(word) <= 2:
        return True
    return word.casefold() in ABBREVIATIONS


def _starts_sentence(line: str, at: int) -> bool:
    """Whether a new sentence begins at or after ``at`` (just past a Latin terminator)."""
    if at >= len(line):
        return False
    if _is_cjk(line[at]):
        return True
    if not line[at].isspace():
        return False
    rest = line[at:].lstrip().lstrip(_OPENERS)
    return bool(rest) and (rest[0].isupper() or _is_cjk(rest[0]))


def _line_boundaries(line: str) -> list[int]:
    ends: set[int] = {m.end() for m in _CJK_END.finditer(line)}
    for m in _LATIN_END.finditer(line):
        if not _starts_sentence(line, m.end()):
            continue
        if m.group(0).rstrip("\"'”’»«)]") == "." and _is_abbreviation(line, m.start()):
            continue
        ends.add(m.end())
    return sorted(ends)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, stripped, in order; none empty."""
    sentences: list[str] = []
    for line in text.splitlines():
        start = 0
        for end in [*_line_boundaries(line), len(line)]:
            piece = line[start:end].strip()
            if piece:
                sentences.append(piece)
            start = end
    return sentences


def _joiner(left: str, right: str) -> str:
    return "" if _is_cjk(left[-1]) or _is_cjk(right[0]) or left[-1] in "。！？；，：”」』）" else " "


_SOFT_BREAK = re.compile(r"[，、,;；:：]\s*|\s+")


def _cut_long(sentence: str, max_chars: int) -> list[str]:
    """A sentence longer than ``max_chars`` in pieces, cut after a comma or space where possible."""
    pieces: list[str] = []
    while len(sentence) > max_chars:
        cut = 0
        for m in _SOFT_BREAK.finditer(sentence, 0, max_chars + 1):
            if m.end() <= max_chars:
                cut = m.end()
        if cut <= max_chars // 4:  # no sensible break (e.g. a long run of Chinese): cut hard
            cut = max_chars
        head, sentence = sentence[:cut].strip(), sentence[cut:].strip()
        if head:
            pieces.append(head)
    if sentence:
        pieces.append(sentence)
    return pieces


def split_passages(text: str, max_chars: int = 400) -> list[str]:
    """Consecutive sentences packed into passages of at most ``max_chars`` characters.

    A sentence longer than the limit is cut at a comma or a space (hard, if it has none).
    """
    if max_chars < 1:
        raise ValueError("max_chars must be positive")
    passages: list[str] = []
    current = ""
    for sentence in split_sentences(text):
        for piece in _cut_long(sentence, max_chars):
            if not current:
                current = piece
                continue
            joined = current + _joiner(current, piece) + piece
            if len(joined) <= max_chars:
                current = joined
            else:
                passages.append(current)
                current = piece
    if current:
        passages.append(current)
    return passages
