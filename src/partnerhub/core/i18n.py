"""Helpers for content kept in several languages per record (django-i18nfield's LazyI18nString).

Fallback order when a text is missing in the reader's language: the reader's language, English (the
platform's LANGUAGE_CODE), then whichever language the author wrote in.
"""

from django.conf import settings
from django.utils import translation
from i18nfield.strings import LazyI18nString

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


def i18n(**texts: str) -> LazyI18nString:
    """Build a multilingual value from keyword arguments: ``i18n(de="…", en="…", zh_hans="…")``."""
    return LazyI18nString({key.replace("_", "-"): value for key, value in texts.items() if value})


def i18n_from_dict(texts: dict[str, str] | None) -> LazyI18nString:
    return LazyI18nString({k: v for k, v in (texts or {}).items() if v})


def languages_of(value) -> list[str]:
    """Which languages a multilingual value is actually filled in."""
    data = value.data if isinstance(value, LazyI18nString) else value
    if not isinstance(data, dict):
        return []
    return [code for code, text in data.items() if text]


def all_texts(value) -> list[str]:
    """Every language version of a value (for search documents); accepts a LazyI18nString, dict or str."""
    data = value.data if isinstance(value, LazyI18nString) else value
    if not data:
        return []
    if isinstance(data, dict):
        return [text for text in data.values() if text]
    return [str(data)]


def shown_language(value) -> str | None:
    """The language a value is shown in for the active reader, so templates can mark it with ``lang``."""
    data = value.data if isinstance(value, LazyI18nString) else value
    if not isinstance(data, dict):
        return None
    current = translation.get_language() or settings.LANGUAGE_CODE
    for candidate in (current, current.split("-")[0], settings.LANGUAGE_CODE):
        if data.get(candidate):
            return candidate
    filled = languages_of(value)
    return filled[0] if filled else None
