"""Which writing system a text is in."""

import unicodedata


def is_han(char: str) -> bool:
    code = ord(char)
    return (
        0x4E00 <= code <= 0x9FFF  # CJK Unified Ideographs
        or 0x3400 <= code <= 0x4DBF  # Extension A
        or 0x20000 <= code <= 0x2EBEF  # Extensions B–F
        or 0xF900 <= code <= 0xFAFF  # Compatibility Ideographs
    )


def has_han(text: str) -> bool:
    return any(is_han(c) for c in text)


def is_latin(text: str) -> bool:
    """True when every letter of ``text`` is a Latin letter (accents allowed)."""
    letters = [c for c in text if c.isalpha()]
    return all("LATIN" in unicodedata.name(c, "") for c in letters)
