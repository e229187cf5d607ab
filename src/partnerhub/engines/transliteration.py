"""Latin transliteration of names: Hanyu Pinyin for Chinese, unchanged for Latin script.

Chinese names are written family name first; the transliteration keeps that order and writes each word's
syllables together (王晓明 → "Wang Xiaoming", 扬州市商务局 → "Yangzhou Shi Shangwu Ju" after segmentation).
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

from partnerhub.engines.scripts import has_han, is_han

# Compound family names that the segmenter must not split from the given name wrongly.
COMPOUND_SURNAMES = {
    "欧阳",
    "司马",
    "上官",
    "诸葛",
    "东方",
    "皇甫",
    "尉迟",
    "公孙",
    "慕容",
    "长孙",
    "宇文",
    "司徒",
    "夏侯",
    "令狐",
}
# Place names of partner regions that jieba's dictionary splits wrongly.
USER_WORDS = [
    "凯泽斯劳滕",
    "莱茵兰-普法尔茨",
    "扬州",
    "仪征",
    "江都",
    "邗江",
    "广陵",
    "高邮",
    "宝应",
    "杭集",
    "长三角",
]

_jieba_lock = threading.Lock()


@lru_cache(maxsize=1)
def _segmenter() -> Any:
    import logging

    import jieba

    jieba.setLogLevel(logging.WARNING)
    with _jieba_lock:
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in USER_WORDS:
            tokenizer.add_word(word, freq=200000)
    return tokenizer


def segment(text: str) -> list[str]:
    """Split Chinese text into words (jieba, offline dictionary); other text passes through."""
    return [w for w in _segmenter().lcut(text) if w.strip()]


def _unreadable(chars: str) -> str:
    # Characters pypinyin has no reading for (rare or archaic ones) are dropped, never left as Han in a
    # Latin field; non-Han characters pass through. Staff can correct the transliteration by hand.
    return "".join(c for c in chars if not is_han(c))


def _pinyin_word(word: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin(word, style=Style.NORMAL, errors=_unreadable))


def pinyin_syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [s for s in lazy_pinyin(text, style=Style.NORMAL, errors=_unreadable) if s.strip()]


def transliterate(text: str) -> str:
    """Latin form of any name or text; Latin text comes back unchanged."""
    if not text or not has_han(text):
        return text
    words: list[str] = []
    for word in segment(text):
        if has_han(word):
            words.append(_pinyin_word(word).capitalize())
        elif re.fullmatch(r"[\W_]+", word):
            words.append(word)
        else:
            words.append(word)
    out = ""
    for word in words:
        if out and not re.fullmatch(r"[)\]）】,，.。:：;；]+", word) and not out.endswith(("(", "（")):
            out += " "
        out += word
    return out.replace("（", "(").replace("）", ")").replace("，", ",")


def split_chinese_name(full_name: str) -> tuple[str, str]:
    """Split a Chinese personal name written without a space into (family, given)."""
    full_name = full_name.strip()
    if len(full_name) >= 3 and full_name[:2] in COMPOUND_SURNAMES:
        return full_name[:2], full_name[2:]
    return full_name[:1], full_name[1:]


def transliterate_person(family_name: str, given_name: str) -> str:
    """Latin form of a person's name in the order the person's culture writes it.

    Chinese: "Wang Xiaoming" (family first, given-name syllables joined). Latin names: "Julia Becker".
    """
    if has_han(family_name) or has_han(given_name):
        family = "".join(pinyin_syllables(family_name)).capitalize()
        given = "".join(pinyin_syllables(given_name)).capitalize()
        return f"{family} {given}".strip()
    return f"{given_name} {family_name}".strip()


def _han_only(text: str) -> bool:
    return bool(text) and all(is_han(c) for c in text)


def format_person_name(family_name: str, given_name: str) -> str:
    """A person's name in their own script: 陈静 (family name first, no space, also when the parts were typed
    with stray spaces or only one part is given) or "Julia Becker" (given name first). A name that mixes
    Chinese and Latin parts keeps the family name first, with a space."""
    family = " ".join((family_name or "").split())
    given = " ".join((given_name or "").split())
    if has_han(family) or has_han(given):
        family_han, given_han = family.replace(" ", ""), given.replace(" ", "")
        if (_han_only(family_han) or not family) and (_han_only(given_han) or not given):
            return f"{family_han}{given_han}"
        return f"{family} {given}".strip()
    return f"{given} {family}".strip()


def transliterate_full_name(full_name: str) -> str:
    """Latin form of a whole personal name written in one field (张宝娟 → "Zhang Baojuan")."""
    if not has_han(full_name):
        return full_name
    return transliterate_person(*split_chinese_name(full_name))
