"""Scoring reasons read as sentences in the reader's language, whatever the engine stored."""

import pytest
from django.utils import translation

from partnerhub.engines.matching import scoring
from partnerhub.matching.reasons import describe


def stored(query, candidate, similarity=0.8):
    """The reasons as the platform stores them (``"code: detail"``)."""
    result = scoring.score(query, candidate, similarity)
    return [": ".join(r) for r in result.reasons]


def item(id_, kind, sectors=(), region=None, targets=(), side=None):
    return scoring.Item(
        id=id_, lang="de", text="x", kind=kind, sectors=tuple(sectors), region=region,
        target_regions=tuple(targets), side=side,
    )  # fmt: skip


def test_every_reason_the_engine_gives_becomes_a_sentence_in_english():
    query = item("q", "technology_request", ["C22.29"], region="kl", targets=["yz"], side="DE")
    candidate = item("c", "technology_offer", ["C22.21"], region="yz", side="DE")
    with translation.override("en"):
        sentences = [describe(r) for r in stored(query, candidate)]
    assert sentences[0] == "The texts mean similar things (similarity 0.80)."
    assert "An offer meets a matching request: technology request and technology offer." in sentences
    assert "Both are about technology cooperation." in sentences
    assert "Shared sector: same NACE group 22.2." in sentences
    assert "One side names the other's region as a target." in sentences
    assert "Both come from the same side of the partnership (lower score)." in sentences
    assert all(":" not in s.split(".")[0] or s.startswith(("An offer", "Shared")) for s in sentences)


def test_two_offers_are_explained_as_a_penalty():
    with translation.override("en"):
        sentences = [describe(r) for r in stored(item("q", "business_offer"), item("c", "business_offer"))]
    assert "Both are offers: neither asks for what the other has (lower score)." in sentences


@pytest.mark.parametrize(
    ("language", "expected"),
    [("de", "Gemeinsame Branche"), ("zh-hans", "共同行业")],
)
def test_reasons_are_translated(language, expected):
    with translation.override(language):
        assert describe("sector: same class C22.29").startswith(expected)


def test_age_uses_the_plural_form_and_unknown_codes_are_shown_as_they_are():
    with translation.override("en"):
        assert describe("freshness: 1 days old").startswith("Published 1 day ago")
        assert describe("freshness: 40 days old").startswith("Published 40 days ago")
        assert describe("sector: none shared") == "No sector in common."
        assert describe("novelty: 3") == "novelty: 3"
