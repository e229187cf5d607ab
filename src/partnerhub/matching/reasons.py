"""Why a suggestion was made, in the reader's language, claiming only what is there.

The engine reports each part of a score as a short machine-readable pair (``scoring.score``: ``("sector",
"same class 22.29")``), stored on the suggestion as ``"code: detail"``; the suggestion also stores the best
sentence pairs and the shared sectors (``scores._explanation``). ``explain(suggestion)`` turns all of that,
together with the kinds of both items, into sentences for the card:

- Every sentence is one whole msgid (one per NACE level, one per pair of kinds), so each language can use its
  own grammar: German "derselben NACE-Klasse" but "demselben NACE-Abschnitt".
- No raw similarity is shown. The text sentence is chosen by band (strong / some / none) and a sentence pair
  is shown only when it is similar enough (thresholds below, measured); the one number is the calibrated
  0-100 fit, formatted for the reader's locale.
- The kinds sentence comes from the kinds of both items, not from the engine's reason: two requests are
  told they are two requests, an idea is told it is an idea.

``describe(reason)`` renders one stored reason on its own (an unknown code, from an engine newer than this
module, is shown as it is rather than hidden).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from django.utils import formats
from django.utils.translation import get_language, ngettext, pgettext
from django.utils.translation import gettext as _

from partnerhub.ideas.models import ProjectIdea
from partnerhub.organisations import nace
from partnerhub.profiles.models import CooperationProfile

Kind = CooperationProfile.ProfileType
IDEA = "idea"

# Bands of text similarity, chosen on the labelled profile pairs (bench/data/profile_pairs_*, 111 queries)
# with the multilingual USE model and checked on all labelled sets (profile_pairs and sector_pairs_1-3, 431
# queries, 166,039 cross-language non-counterparts): ``bench/bench_explanation_bands.py`` prints, for each
# threshold, the share of true counterparts and of non-counterparts that reach it (profile pairs; all sets).
# - Centred document similarity (what the ranking stores since it centres languages, with or without E5 on the
#   shortlist; those rows carry a fit): 0.35 is reached by 86 %; 68 % of counterparts (77 % with E5 on the
#   profile pairs) and 0.3 %; 0.2 % of others; 0.20 by 100 %; 95 % of counterparts and 3 %; 3 % of others,
#   mostly same-sector distractors, which are related.
# - Raw document cosine (rows stored before, without a fit): 0.45 by 89 %; 76 % of counterparts and 0.5 %;
#   0.4 % of others, 0.30 by 100 %; 98 % and 9 %; 10 % of others. Applied to centred values these are stricter
#   still, so ``describe`` on a lone reason uses them: it never overclaims on either scale.
# - Sentence pairs (raw cosine of two sentences, whatever the ranking): 0.35 is reached by the best pair of
#   96 %; 77 % of counterparts and 3 %; 3 % of others; 0.45 by 47 %; 34 % and 0.3 %; 0.3 %.
CENTRED_BANDS = (0.35, 0.20)  # (strong, some)
RAW_BANDS = (0.45, 0.30)
PAIR_SHOWN = 0.35
PAIR_STRONG = 0.45

ENGINE_KINDS = {"research_cooperation": Kind.RD_REQUEST}


@dataclass
class Explanation:
    """What the card shows; every string already in the active language."""

    fit: str | None = None
    text: str | None = None
    pairs: list[dict] = field(default_factory=list)
    kinds: str | None = None
    kind_labels: tuple[str, str] | None = None
    sector: str | None = None
    sectors: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    region: str | None = None
    others: list[str] = field(default_factory=list)


# --- numbers ---------------------------------------------------------------------------------------------


def fit_text(fit: int | None) -> str | None:
    """ "Fit 59 of 100" with the number in the reader's format; None for rows stored before the fit existed."""
    if fit is None:
        return None
    return _("Fit %(fit)s of 100") % {"fit": formats.number_format(int(fit), 0)}


# --- the texts -------------------------------------------------------------------------------------------


def text_sentence(similarity: float | None, bands: tuple[float, float] = RAW_BANDS) -> str | None:
    if similarity is None:
        return None
    strong, some = bands
    if similarity >= strong:
        return _("The two texts are about closely related subjects.")
    if similarity >= some:
        return _("The two texts touch on related subjects.")
    return _("The texts have little in common: this suggestion rests on the other reasons.")


def shown_pairs(pairs: list[dict]) -> list[dict]:
    """The stored sentence pairs similar enough to show, each with its closeness in words."""
    shown = []
    for pair in pairs:
        similarity = float(pair.get("similarity", 0.0))
        if similarity < PAIR_SHOWN:
            continue
        closeness = (
            pgettext("sentence pair", "close in meaning")
            if similarity >= PAIR_STRONG
            else pgettext("sentence pair", "related")
        )
        shown.append({**pair, "closeness": closeness})
    return shown


# --- the kinds -------------------------------------------------------------------------------------------


def kind_label(kind: str) -> str:
    if kind == IDEA:
        return _("project idea")
    try:
        return str(Kind(ENGINE_KINDS.get(kind, kind)).label)
    except ValueError:
        return kind


def _kind_sentences() -> dict[frozenset, str]:
    fits = {
        frozenset({Kind.TECHNOLOGY_OFFER, Kind.TECHNOLOGY_REQUEST}): _(
            "One side offers technology and the other is looking for technology: the kinds fit together."
        ),
        frozenset({Kind.BUSINESS_OFFER, Kind.BUSINESS_REQUEST}): _(
            "One side offers products or services and the other is looking for them: the kinds fit together."
        ),
        frozenset({Kind.RD_REQUEST}): _(
            "Both seek research and development cooperation: one joint project can serve both."
        ),
        frozenset({Kind.RD_REQUEST, Kind.TECHNOLOGY_OFFER}): _(
            "One side seeks a research partner and the other offers technology: the kinds can fit together."
        ),
        frozenset({Kind.RD_REQUEST, Kind.TECHNOLOGY_REQUEST}): _(
            "One side seeks a research partner and the other is looking for technology: "
            "a joint development can serve both."
        ),
        frozenset({Kind.TECHNOLOGY_OFFER}): _(
            "Both offer technology: neither is looking for what the other has."
        ),
        frozenset({Kind.TECHNOLOGY_REQUEST}): _(
            "Both are looking for technology: neither offers what the other needs."
        ),
        frozenset({Kind.BUSINESS_OFFER}): _(
            "Both offer products or services: neither is looking for what the other has."
        ),
        frozenset({Kind.BUSINESS_REQUEST}): _(
            "Both are looking for products or services: neither offers what the other needs."
        ),
        frozenset({IDEA, Kind.TECHNOLOGY_OFFER}): _(
            "The project idea could be carried out with the technology on offer."
        ),
        frozenset({IDEA, Kind.BUSINESS_OFFER}): _(
            "The project idea could use the products or services on offer."
        ),
        frozenset({IDEA, Kind.RD_REQUEST}): _(
            "The project idea and the research cooperation request could become one joint project."
        ),
        frozenset({IDEA}): _("Both are project ideas: they could be joined into one project."),
    }
    return fits


def kind_of(item) -> str | None:
    if isinstance(item, ProjectIdea):
        return IDEA
    return str(item.profile_type) if isinstance(item, CooperationProfile) else None


def kinds_sentence(kind_a: str, kind_b: str) -> str:
    """How the kinds of the two items relate, whichever is the source."""
    sentence = _kind_sentences().get(frozenset({kind_a, kind_b}))
    if sentence is not None:
        return sentence
    directions = {kind_a.rpartition("_")[2], kind_b.rpartition("_")[2]}
    if directions == {"offer", "request"}:
        return _(
            "One side offers and the other is looking, in different kinds of cooperation: %(first)s and %(second)s."
        ) % {"first": kind_label(kind_a), "second": kind_label(kind_b)}
    return _("The kinds differ: %(first)s and %(second)s.") % {
        "first": kind_label(kind_a),
        "second": kind_label(kind_b),
    }


# --- sectors ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _nace_names() -> dict[str, dict[str, str]]:
    """NACE names by code from the shipped classification (static data: read once, no query per card)."""
    return {row["code"]: row for row in nace.read_rows()}


def sector_name(code: str) -> str:
    """ "22.29 Manufacture of other plastic products" in the reader's language; the bare code if unknown."""
    bare = code[1:] if len(code) > 1 and code[0].isalpha() else code
    row = _nace_names().get(bare) or _nace_names().get(code)
    if row is None:
        return code
    language = get_language() or "en"
    column = "name_de" if language.startswith("de") else "name_zh" if language.startswith("zh") else "name_en"
    return f"{row['code']} {row[column] or row['name_en']}"


def sector_sentence(detail: str) -> str:
    match = re.fullmatch(r"same (class|group|division|section) (\S+)", detail)
    if not match:
        return _("No sector in common.")
    level, code = match.groups()
    values = {"sector": sector_name(code)}
    if level == "class":
        return _("Both work in the same NACE class: %(sector)s.") % values
    if level == "group":
        return _("Both work in the same NACE group: %(sector)s.") % values
    if level == "division":
        return _("Both work in the same NACE division: %(sector)s.") % values
    return _("Both work in the same NACE section: %(sector)s.") % values


def shared_sector_names(shared: list[dict]) -> list[str]:
    language = get_language() or "en"
    key = "zh-hans" if language.startswith("zh") else language[:2]
    return [f"{s['code']} {s.get(key) or s.get('en', '')}".strip() for s in shared]


# --- regions ---------------------------------------------------------------------------------------------


def _region_of(item):
    organisation = getattr(item, "organisation", None)
    return getattr(organisation, "region", None) if organisation is not None else None


def _targets(item) -> set:
    regions = getattr(item, "target_regions", None)
    return set(regions.values_list("pk", flat=True)) if regions is not None else set()


def region_sentence(source, target) -> str:
    """Which side's region the other targets, by name (queried only when the engine says a region matched)."""
    target_region, source_region = _region_of(target), _region_of(source)
    if target_region is not None and target_region.pk in _targets(source):
        return _("The suggested partner is based in %(region)s, where this item looks for partners.") % {
            "region": target_region
        }
    if source_region is not None and source_region.pk in _targets(target):
        return _("This item comes from %(region)s, where the suggested partner looks for partners.") % {
            "region": source_region
        }
    return _("One side is based in a region where the other looks for partners.")


# --- one reason, and the whole explanation ---------------------------------------------------------------


def _similarity(reasons: list[str], parts: dict) -> float | None:
    if "semantic" in parts:
        return float(parts["semantic"])
    for reason in reasons:
        code, _sep, detail = str(reason).partition(": ")
        if code == "semantic":
            try:
                return float(detail)
            except ValueError:
                return None
    return None


def describe(reason: str) -> str:
    """One stored reason (``"code: detail"``) as a sentence in the active language."""
    code, _sep, detail = str(reason).partition(": ")
    if code == "semantic":
        try:
            return text_sentence(float(detail)) or reason
        except ValueError:
            return reason
    if code == "complementarity":
        first, _arrow, second = detail.partition("↔")
        return kinds_sentence(str(ENGINE_KINDS.get(first, first)), str(ENGINE_KINDS.get(second, second)))
    if code == "kind":
        family = detail.removeprefix("same family ")
        if family == "business":
            return _("Both are about business cooperation.")
        if family == "technology":
            return _("Both are about technology cooperation.")
        if family == "research":
            return _("Both are about research cooperation.")
        return reason
    if code == "penalty" and detail.startswith("both "):
        if detail.endswith("offer"):
            return _("Both are offers: neither asks for what the other has (lower score).")
        return _("Both are requests: neither offers what the other needs (lower score).")
    if code == "penalty" and detail.startswith("same side"):
        return _("Both come from the same side of the partnership (lower score).")
    if code == "sector":
        return sector_sentence(detail)
    if code == "region":
        return _("One side is based in a region where the other looks for partners.")
    if code == "freshness":
        match = re.match(r"(\d+)", detail)
        if match:
            days = int(match.group(1))
            return ngettext(
                "Published %(days)s day ago (slightly lower score for older entries).",
                "Published %(days)s days ago (slightly lower score for older entries).",
                days,
            ) % {"days": formats.number_format(days, 0)}
    return reason


def explain(suggestion) -> Explanation:
    """Everything the card says about why ``suggestion`` was made, in the active language.

    Works for any source and target (profile or idea): kinds, sectors and regions are read from the items
    when they are there; a missing part is left out rather than guessed.
    """
    reasons = [str(r) for r in (suggestion.reasons or [])]
    stored = suggestion.explanation or {}
    parts = suggestion.parts or {}
    source, target = suggestion.source, suggestion.target
    result = Explanation(
        fit=fit_text(suggestion.fit),
        # A fit is stored only by the ranking that centres languages: its similarities are on that scale.
        text=text_sentence(
            _similarity(reasons, parts), CENTRED_BANDS if suggestion.fit is not None else RAW_BANDS
        ),
        pairs=shown_pairs(stored.get("pairs", [])),
        sectors=shared_sector_names(stored.get("shared_sectors", [])),
        keywords=list(stored.get("shared_keywords", [])),
    )
    kind_a, kind_b = kind_of(source), kind_of(target)
    if kind_a and kind_b:
        result.kinds = kinds_sentence(kind_a, kind_b)
        result.kind_labels = (kind_label(kind_a), kind_label(kind_b))
    for reason in reasons:
        code, _sep, detail = reason.partition(": ")
        if code in {"semantic", "excluded"}:
            continue
        if code in {"complementarity", "kind"} or (code == "penalty" and detail.startswith("both ")):
            if result.kinds is None and code != "kind":
                result.kinds = describe(reason)
            continue
        if code == "sector":
            result.sector = sector_sentence(detail)
        elif code == "region":
            result.region = region_sentence(source, target)
        else:
            result.others.append(describe(reason))
    return result
