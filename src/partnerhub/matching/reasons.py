"""Why the structured part of a score came out as it did, in the reader's language.

The engine reports each part as a short machine-readable pair (``scoring.score``: ``("sector", "same class
22.29")``), stored on the suggestion as ``"code: detail"``. This turns one into a sentence through gettext,
so the explanation reads in German, English or Chinese like the rest of the page. An unknown code (an engine
newer than this module) is shown as it is rather than hidden.
"""

import re

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partnerhub.profiles.models import CooperationProfile

ENGINE_KINDS = {"research_cooperation": CooperationProfile.ProfileType.RD_REQUEST}


def _kind(value: str) -> str:
    kind = ENGINE_KINDS.get(value, value)
    try:
        return str(CooperationProfile.ProfileType(kind).label)
    except ValueError:
        return value


def _level(name: str) -> str:
    return {
        "class": _("NACE class"),
        "group": _("NACE group"),
        "division": _("NACE division"),
        "section": _("NACE section"),
    }.get(name, name)


def describe(reason: str) -> str:
    """One stored reason (``"code: detail"``) as a sentence in the active language."""
    code, _sep, detail = str(reason).partition(": ")
    if code == "semantic":
        try:
            return _("The texts mean similar things (similarity %(value).2f).") % {"value": float(detail)}
        except ValueError:
            return reason
    if code == "complementarity":
        first, _arrow, second = detail.partition("↔")
        return _("An offer meets a matching request: %(first)s and %(second)s.") % {
            "first": _kind(first),
            "second": _kind(second),
        }
    if code == "kind":
        family = detail.removeprefix("same family ")
        labels = {"business": _("business"), "technology": _("technology"), "research": _("research")}
        return _("Both are about %(field)s cooperation.") % {"field": labels.get(family, family)}
    if code == "penalty" and detail.startswith("both "):
        if detail.endswith("offer"):
            return _("Both are offers: neither asks for what the other has (lower score).")
        return _("Both are requests: neither offers what the other needs (lower score).")
    if code == "penalty" and detail.startswith("same side"):
        return _("Both come from the same side of the partnership (lower score).")
    if code == "sector":
        match = re.fullmatch(r"same (class|group|division|section) (\S+)", detail)
        if match:
            return _("Shared sector: same %(level)s %(code)s.") % {
                "level": _level(match.group(1)),
                "code": match.group(2),
            }
        return _("No sector in common.")
    if code == "region":
        return _("One side names the other's region as a target.")
    if code == "freshness":
        match = re.match(r"(\d+)", detail)
        if match:
            days = int(match.group(1))
            return ngettext(
                "Published %(days)d day ago (slightly lower score for older entries).",
                "Published %(days)d days ago (slightly lower score for older entries).",
                days,
            ) % {"days": days}
    return reason
