"""Sorting names the way a reader of the active language expects them.

German and English: letters with their accents removed (DIN 5007 rule 1: "Österreich" with the O's); Chinese:
by Hanyu Pinyin, as Chinese dictionaries and lists do (中国 Zhōngguó under Z, 德国 Déguó under D), so a Chinese
reader does not find the countries in the order of their English names.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django.utils import translation
from pypinyin import Style, lazy_pinyin

T = TypeVar("T")


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").casefold()


def sort_key(text: str, language: str | None = None) -> tuple:
    """The key of ``text`` in ``language`` (default: the active one)."""
    language = (language or translation.get_language() or "en").lower()
    text = str(text).strip()
    if language.startswith("zh"):
        return (" ".join(lazy_pinyin(text, style=Style.TONE3)).casefold(), text)
    return (_folded(text), text)


def sorted_for_reader(
    items: Iterable[T], key: Callable[[T], Any] = str, language: str | None = None
) -> list[T]:
    return sorted(items, key=lambda item: sort_key(key(item), language))


def country_sort_key(item: tuple[str, str]) -> tuple:
    """For django-countries, whose own key drops every non-Latin letter (all Chinese names compare equal)."""
    return sort_key(item[1])


def install_country_order() -> None:
    """django-countries sorts with its module-level ``sort_key``, looked up on each sort and cached per
    language; replacing it orders every country list (forms, admin, filters) for the reader."""
    import django_countries

    django_countries.sort_key = country_sort_key
