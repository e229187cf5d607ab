"""Match scoring: complementarity, sector proximity, exclusions, and pure semantic order without structure."""

import csv
import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from partnerhub.engines.matching.scoring import (
    KINDS,
    WEIGHTS,
    Item,
    parse_sector,
    rank,
    score,
    sector_proximity,
    tune_weights,
)

NACE_DATA = Path(__file__).resolve().parent.parent / "src" / "partnerhub" / "organisations" / "data"
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def item(id_="a", **fields) -> Item:
    return Item(id=id_, lang=fields.pop("lang", "de"), text=fields.pop("text", id_), **fields)


def fake_embed(texts):
    """Deterministic unit vectors, one per distinct text (stands in for the real embedder)."""
    rows = []
    for text in texts:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        rows.append(np.random.default_rng(seed).standard_normal(32))
    array = np.array(rows, dtype=np.float32)
    return array / np.linalg.norm(array, axis=1, keepdims=True)


kinds = st.none() | st.sampled_from(KINDS)
sectors = st.lists(st.sampled_from(["C27.9", "27.90", "27.12", "C28", "C", "G46.1", "62.01"]), max_size=2)
sides = st.none() | st.sampled_from(["DE", "CN"])
regions = st.none() | st.sampled_from(["Pfalz", "Jiangsu", "Yangzhou"])


@st.composite
def items(draw, id_):
    return Item(
        id=id_,
        lang="de",
        text=id_,
        kind=draw(kinds),
        sectors=tuple(draw(sectors)),
        region=draw(regions),
        side=draw(sides),
        target_regions=tuple(draw(st.lists(regions.filter(bool), max_size=2))),
    )


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])  # slow only on a busy machine
@given(a=items("a"), b=items("b"), similarity=st.floats(-1, 1))
def test_score_is_symmetric_apart_from_freshness(a, b, similarity):
    forward, backward = score(a, b, similarity), score(b, a, similarity)
    assert forward.total == pytest.approx(backward.total)
    assert forward.parts == backward.parts


@pytest.mark.parametrize(
    ("offer", "wanted"),
    [
        ("business_offer", "business_request"),
        ("technology_offer", "technology_request"),
        ("research_cooperation", "research_cooperation"),
    ],
)
def test_complementary_kinds_score_the_same_both_ways_and_beat_no_kind(offer, wanted):
    a, b = item("a", kind=offer), item("b", kind=wanted)
    assert score(a, b, 0.5).parts["complementarity"] == score(b, a, 0.5).parts["complementarity"] == 1.0
    assert score(a, b, 0.5).total > score(item("a"), item("b"), 0.5).total


@pytest.mark.parametrize(
    "kind", ["business_offer", "business_request", "technology_offer", "technology_request"]
)
def test_two_offers_or_two_requests_are_penalised(kind):
    assert score(item("a", kind=kind), item("b", kind=kind), 0.5).total < 0.5


def test_offer_meeting_a_request_of_another_family_is_neither_rewarded_nor_penalised_for_direction():
    result = score(item("a", kind="technology_offer"), item("b", kind="business_request"), 0.5)
    assert "complementarity" not in result.parts and "same_direction" not in result.parts


@pytest.mark.parametrize(
    ("code", "path"),
    [
        ("C27.9", ("C", "27", "27.9")),
        ("27.9", ("C", "27", "27.9")),
        ("27.90", ("C", "27", "27.9", "27.90")),
        ("C27.90", ("C", "27", "27.9", "27.90")),
        ("27", ("C", "27")),
        ("C", ("C",)),
        (" g46.1 ", ("G", "46", "46.1")),
        ("01.11", ("A", "01", "01.1", "01.11")),
        ("A27", None),
        ("04", None),
        ("nonsense", None),
        ("", None),
    ],
)
def test_sector_codes_parse_with_or_without_section_letter(code, path):
    assert parse_sector(code) == path


def test_sector_proximity_orders_class_group_division_section_none():
    query = ["C27.90"]
    ladder = [["27.90"], ["C27.9"], ["27.12"], ["C28.1"], ["G46"]]
    values = [sector_proximity(query, other)[0] for other in ladder]
    assert values == sorted(values, reverse=True) and len(set(values)) == len(values)
    assert sector_proximity(["C27.9"], ["27.90"]) == (0.75, "same group 27.9")
    totals = [score(item("a", sectors=tuple(query)), item("b", sectors=tuple(o)), 0.5).total for o in ladder]
    assert totals == sorted(totals, reverse=True)


def test_division_to_section_table_agrees_with_the_shipped_nace_data():
    for path in sorted(NACE_DATA.glob("nace_part*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                if row["level"] == "2":
                    assert parse_sector(row["code"]) == (row["parent"], row["code"])


def test_same_organisation_is_excluded():
    result = score(item("a", organisation="org1"), item("b", organisation="org1"), 0.99)
    assert result.excluded and result.reasons == [("excluded", "same organisation org1")]


def test_rejected_pairs_are_excluded_in_either_order():
    assert score(item("a"), item("b"), 0.9, rejected={("b", "a")}).excluded
    assert not score(item("a"), item("c"), 0.9, rejected={("b", "a")}).excluded


def test_same_side_is_penalised_only_when_cross_border_is_wanted():
    de1, de2 = item("a", side="DE"), item("b", side="DE")
    assert score(de1, de2, 0.5).total < score(de1, item("c", side="CN"), 0.5).total
    assert score(de1, de2, 0.5, cross_border=False).total == 0.5


def test_region_targeted_by_either_side_counts():
    wants_jiangsu = item("a", region="Pfalz", target_regions=("Jiangsu",))
    assert score(wants_jiangsu, item("b", region="Jiangsu"), 0.5).parts["region"] == 1.0
    assert score(item("b", region="Jiangsu"), wants_jiangsu, 0.5).parts["region"] == 1.0
    assert "region" not in score(wants_jiangsu, item("c", region="Bayern"), 0.5).parts


def test_older_candidates_score_slightly_lower():
    fresh = score(item("a"), item("b", created=NOW - timedelta(days=10)), 0.5, now=NOW).total
    old = score(item("a"), item("c", created=NOW - timedelta(days=600)), 0.5, now=NOW).total
    assert old < fresh < 0.5 and fresh - old < 0.05


def test_reasons_are_machine_readable_pairs():
    query = item("a", kind="business_offer", sectors=("C27.9",))
    result = score(query, item("b", kind="business_request", sectors=("27.90",)), 0.61)
    assert ("sector", "same group 27.9") in result.reasons
    assert ("complementarity", "business_offer↔business_request") in result.reasons
    assert all(isinstance(code, str) and isinstance(value, str) for code, value in result.reasons)


@settings(max_examples=30, deadline=None)
@given(n_candidates=st.integers(1, 80), k=st.integers(1, 15), seed=st.integers(0, 10_000))
def test_without_kind_or_sectors_rank_is_pure_semantic_order(n_candidates, k, seed):
    queries = [item(f"q{i}", text=f"query {seed} {i}") for i in range(3)]
    candidates = [item(f"c{i}", lang="zh", text=f"candidate {seed} {i}") for i in range(n_candidates)]
    ranked = rank(queries, candidates, fake_embed, k=k)

    sims = fake_embed([q.text for q in queries]) @ fake_embed([c.text for c in candidates]).T
    for row, matches in zip(sims, ranked, strict=True):
        expected = [f"c{j}" for j in np.argsort(-row, kind="stable")[:k]]
        assert [m.id for m in matches] == expected
        assert [m.score.total for m in matches] == pytest.approx(sorted(row, reverse=True)[:k], abs=1e-5)


def test_rank_lets_structure_reorder_close_candidates_and_drops_exclusions():
    query = item("q", text="Getriebe", kind="technology_request", sectors=("C28.1",), organisation="o1")
    same_org = item("same", text="Getriebe", kind="technology_offer", organisation="o1")
    twin = item("twin", text="Getriebe", kind="technology_request")
    rejected = item("rej", text="Getriebe", kind="technology_offer")
    offer = item("offer", text="Getriebe", kind="technology_offer", sectors=("28.15",))
    ranked = rank([query], [same_org, twin, rejected, offer], fake_embed, k=10, rejected={("q", "rej")})[0]
    assert [m.id for m in ranked] == ["offer", "twin"]


def test_rank_accepts_an_object_with_an_embed_method_and_empty_inputs():
    class Embedder:
        embed = staticmethod(fake_embed)

    assert rank([item("q")], [item("c")], Embedder(), k=3)[0][0].id == "c"
    assert rank([item("q")], [], fake_embed) == [[]]
    assert rank([], [item("c")], fake_embed) == []


def test_tune_weights_finds_a_sector_weight_when_sectors_decide():
    query = item("q", sectors=("C27.9",))
    pairs = [
        (query, item("right", sectors=("27.90",)), 0.50, 1.0),
        (query, item("wrong", sectors=("G46",)), 0.52, 0.0),
    ]
    weights, quality = tune_weights(pairs, {"sector": (0.0, 0.1)})
    assert weights["sector"] == 0.1 and quality == 1.0
    assert WEIGHTS["sector"] == 0.10 and weights is not WEIGHTS
