"""Scoring reasons read as sentences in the reader's language, whatever the engine stored."""

import re

import pytest
from django.utils import translation

from partnerhub.engines.matching import scoring
from partnerhub.matching.reasons import describe, kinds_sentence, shown_pairs


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
    assert sentences[0] == "The two texts are about closely related subjects."
    assert (
        "One side offers technology and the other is looking for technology: the kinds fit together."
        in sentences
    )
    assert "Both are about technology cooperation." in sentences
    assert "Both work in the same NACE group: 22.2 Manufacture of plastics products." in sentences
    assert "One side is based in a region where the other looks for partners." in sentences
    assert "Both come from the same side of the partnership (lower score)." in sentences
    assert not any(re.search(r"\d\.\d{2}\b", s) for s in sentences if "NACE" not in s)  # no raw score


@pytest.mark.parametrize(
    ("similarity", "sentence"),
    [
        (0.62, "The two texts are about closely related subjects."),
        (0.45, "The two texts are about closely related subjects."),
        (0.35, "The two texts touch on related subjects."),
        (0.29, "The texts have little in common: this suggestion rests on the other reasons."),
        (0.06, "The texts have little in common: this suggestion rests on the other reasons."),
    ],
)
def test_text_similarity_is_told_in_bands_and_never_claimed_when_low(similarity, sentence):
    with translation.override("en"):
        assert describe(f"semantic: {similarity:.3f}") == sentence


def test_two_research_requests_are_not_an_offer_meeting_a_request():
    query, candidate = item("q", "research_cooperation"), item("c", "research_cooperation")
    with translation.override("en"):
        sentences = [describe(r) for r in stored(query, candidate)]
    assert "Both seek research and development cooperation: one joint project can serve both." in sentences
    assert not any("offer" in s for s in sentences)


def test_only_sentence_pairs_similar_enough_are_shown_with_their_closeness_in_words():
    pairs = [{"a": "x", "b": "y", "similarity": s} for s in (0.61, 0.40, 0.2)]
    with translation.override("de"):
        shown = shown_pairs(pairs)
    assert [p["closeness"] for p in shown] == ["bedeutungsnah", "verwandt"]


def test_two_offers_are_explained_as_a_penalty():
    with translation.override("en"):
        sentences = [describe(r) for r in stored(item("q", "business_offer"), item("c", "business_offer"))]
    assert "Both are offers: neither asks for what the other has (lower score)." in sentences


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Beide sind in derselben NACE-Klasse tätig: 22.29 "),
        ("zh-hans", "双方属于同一NACE小类：22.29 "),
    ],
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


@pytest.mark.parametrize(
    ("first", "second", "sentence"),
    [
        (
            "business_offer",
            "technology_request",
            "One side offers and the other is looking, in different kinds",
        ),
        ("technology_request", "technology_request", "Both are looking for technology: neither offers"),
        ("business_offer", "business_offer", "Both offer products or services: neither is looking"),
        ("idea", "rd_request", "The project idea and the research cooperation request could become one"),
        ("idea", "business_request", "The kinds differ: project idea and business request."),
    ],
)
def test_the_kinds_sentence_is_the_same_whichever_side_is_the_source(first, second, sentence):
    with translation.override("en"):
        assert kinds_sentence(first, second).startswith(sentence)
        assert kinds_sentence(second, first).split(":")[0] == kinds_sentence(first, second).split(":")[0]
