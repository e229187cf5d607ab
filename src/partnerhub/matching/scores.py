"""One pair's score and the explanation shown with a suggestion.

The engine scores (``partnerhub.engines.matching.scoring``, through ``ranking``); this module turns
database rows into the engine's items and the engine's answer into what a ``Suggestion`` stores: score, the
calibrated fit (``calibration``), parts, reasons, the best sentence pairs, shared sectors and keywords.
"""

import numpy as np

from partnerhub.engines.matching import calibration, explain, ranking, scoring
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching.items import IDEA, Kind, kind_of
from partnerhub.matching.vectors import document_text, second_embedder, sentences_text
from partnerhub.organisations.models import NaceActivity

ENGINE_KINDS = {Kind.RD_REQUEST: "research_cooperation", IDEA: None}


def max_bonus(weights=scoring.WEIGHTS) -> float:
    """The most that structure (kind, sector, region …) can add to the weighted similarity.

    Penalties and freshness only subtract, so ``semantic weight × similarity + max_bonus()`` bounds a
    pair's total: a candidate less similar than that bound allows can never enter the top.
    """
    skip = {"semantic", "freshness", "penalties"}
    return float(sum(v for k, v in weights.items() if k not in skip and isinstance(v, int | float) and v > 0))


def _sector_codes(item) -> list[str]:
    if isinstance(item, ProjectIdea):
        return []
    return sorted(s.code for s in item.sectors.all())


def shared_sectors(item, candidate) -> list[dict]:
    codes = set(_sector_codes(item)) & set(_sector_codes(candidate))
    return [
        {"code": s.code, "de": s.name_de, "en": s.name_en, "zh-hans": s.name_zh}
        for s in NaceActivity.objects.filter(code__in=codes).order_by("code")
    ]


def _tags(item) -> dict[str, str]:
    if isinstance(item, ProjectIdea):
        return {}
    return {str(t).casefold(): str(t) for t in [*item.keywords, *item.technologies]}


def shared_keywords(item, candidate) -> list[str]:
    mine, theirs = _tags(item), _tags(candidate)
    return [mine[k] for k in sorted(mine.keys() & theirs.keys())]


def _country(item) -> str:
    if item.organisation_id is not None:
        return str(item.organisation.country)
    return str(getattr(item, "organisation_country", ""))


def engine_item(item) -> scoring.Item:
    """The engine's view of an item (``scoring.Item``)."""
    language, _text = sentences_text(item)
    organisation = item.organisation
    return scoring.Item(
        id=f"{item._meta.model_name}:{item.pk}",
        lang=language,
        text=document_text(item),
        kind=_engine_kind(item),
        sectors=tuple(_sector_codes(item)),
        region=str(organisation.region_id) if organisation is not None else None,
        target_regions=tuple(str(pk) for pk in item.target_regions.values_list("pk", flat=True)),
        organisation=str(item.organisation_id or f"idea:{item.pk}"),
        side=_country(item),
        created=item.created_at,
    )


def jsonable(value):
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _reasons(result: scoring.Score) -> list[str]:
    return [": ".join(map(str, r)) if isinstance(r, tuple | list) else str(r) for r in result.reasons]


def score_pair(item, candidate, similarity: float) -> tuple[float, dict, list] | None:
    """(total, parts, reasons) from the engine's scoring of a given similarity; None when excluded."""
    result = scoring.score(engine_item(item), engine_item(candidate), similarity)
    if result.excluded:
        return None
    return float(result.total), jsonable(dict(result.parts)), _reasons(result)


def score_parts(row: ranking.Scored) -> tuple[dict, list]:
    """(parts, reasons) of one pair the ranking path scored; ``parts["first"]`` is the first model's
    cosine when a second model re-scored the pair (``parts["semantic"]`` is then both combined)."""
    parts = jsonable(dict(row.score.parts))
    if abs(row.first - row.similarity) > 1e-9:
        parts["first"] = round(row.first, 4)
    return parts, _reasons(row.score)


def calibration_curve(embedder):
    """Each pair's fit curve on the ranking path this embedder takes (with its second model, if any)."""
    return ranking.calibrated(embedder, second_embedder(embedder))


def _engine_kind(item):
    kind = kind_of(item)
    return ENGINE_KINDS.get(kind, kind)


def fit_of(embedder, item, candidate, total: float) -> int | None:
    """The calibrated 0–100 fit of a pair's total on this embedder's path; None for an uncalibrated model."""
    group = calibration.pair_group(_engine_kind(item), _engine_kind(candidate))
    second = second_embedder(embedder)
    curve = calibration.curve_for(embedder.name, second.name if second is not None else None, group)
    return curve.fit(total) if curve is not None else None


def _explanation(embedder, item, candidate, parts: dict) -> dict:
    lang_a, text_a = sentences_text(item)
    lang_b, text_b = sentences_text(candidate)
    pairs = explain.best_sentence_pairs(embedder, text_a, text_b, top=3)
    return {
        "pairs": [
            {"a": a, "a_lang": lang_a, "b": b, "b_lang": lang_b, "similarity": round(float(sim), 3)}
            for a, b, sim in pairs
        ],
        "shared_sectors": shared_sectors(item, candidate),
        "shared_keywords": shared_keywords(item, candidate),
        "parts": parts,
    }


def suggestion_values(embedder, item, candidate, total, parts, reasons) -> dict:
    """The fields of a ``Suggestion`` from one scored pair."""
    return {
        "score": round(total, 4),
        "fit": fit_of(embedder, item, candidate, total),
        "parts": parts,
        "reasons": reasons,
        "explanation": _explanation(embedder, item, candidate, parts),
        "model_name": embedder.name,
        "source_agency_id": item.agency_id,
        "source_organisation_id": item.organisation_id,
        "target_agency_id": candidate.agency_id,
        "target_organisation_id": candidate.organisation_id,
    }
