"""Feedback marks re-weight the structured part: the engine's fit (learning.py) and the platform's flow
(record_feedback → background refit → LearnedWeights → current_weights)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from partnerhub.core.models import AuditEntry
from partnerhub.engines.matching import learning, scoring
from partnerhub.matching import feedback, review
from partnerhub.matching.models import LearnedWeights, Suggestion

# --- the engine -----------------------------------------------------------------------------------------


def sector_marks(rule, n=40):
    """Pairs with similarities 0.30 … 0.69, each once with a shared class and once without; ``rule(sim,
    sector)`` says whether the pair is a good match."""
    marks = []
    for i in range(n):
        similarity = 0.3 + 0.01 * i
        for sector in (0.0, 1.0):
            parts = {"semantic": similarity, "sector": sector, "complementarity": 1.0}
            marks.append(learning.Mark(parts, rule(similarity, sector)))
    return marks


def test_total_recomputes_the_engine_score_from_its_parts():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    query = scoring.Item("q", "de", "x", kind="technology_request", sectors=("C22.29",), region="kl",
                         side="DE", target_regions=("yz",))  # fmt: skip
    candidates = [
        scoring.Item(
            "a",
            "zh",
            "y",
            kind="technology_offer",
            sectors=("C22.21",),
            region="yz",
            side="CN",
            created=now - timedelta(days=200),
        ),
        scoring.Item("b", "de", "y", kind="technology_request", sectors=("C10.11",), region="kl", side="DE"),
        scoring.Item("c", "zh", "y", kind="research_cooperation", sectors=("C22",), side="CN"),
    ]
    weights = learning.with_weight(learning.with_weight(scoring.WEIGHTS, "sector", 0.27), "same_side", 0.02)
    for candidate in candidates:
        for w in (scoring.WEIGHTS, weights):
            s = scoring.score(query, candidate, 0.41, weights=w, now=now)
            assert learning.total(s.parts, w) == pytest.approx(s.total)


NOW = datetime(2026, 12, 1, tzinfo=UTC)
items = st.builds(
    scoring.Item,
    id=st.sampled_from(["a", "b", "c"]),
    lang=st.just("de"),
    text=st.just("x"),
    kind=st.none() | st.sampled_from(scoring.KINDS),
    sectors=st.lists(st.sampled_from(["C22.29", "C22.21", "C22", "C10.11", "M72.19"]), max_size=2).map(tuple),
    region=st.none() | st.sampled_from(["kl", "yz"]),
    side=st.none() | st.sampled_from(["DE", "CN"]),
    created=st.none() | st.integers(0, 1500).map(lambda days: NOW - timedelta(days=days)),
    target_regions=st.lists(st.sampled_from(["kl", "yz"]), max_size=2).map(tuple),
)
weight = st.floats(0.0, learning.UPPER)


@given(items, items, st.floats(-1.0, 1.0), st.lists(weight, min_size=6, max_size=6))
def test_total_under_any_weights_is_the_engine_total(query, candidate, similarity, values):
    weights = scoring.WEIGHTS
    for name, value in zip(learning.LEARNED, values, strict=True):
        weights = learning.with_weight(weights, name, value)
    s = scoring.score(query, candidate, similarity, weights=weights, now=NOW)
    if not s.excluded:
        assert learning.total(s.parts, weights) == pytest.approx(s.total, abs=1e-9)


def test_marks_saying_shared_sectors_are_not_relevant_lower_the_sector_weight():
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.5))
    assert learned is not None
    assert learned.weights["sector"] < scoring.WEIGHTS["sector"] - 0.03
    assert learned.after.auc > learned.before.auc


def test_marks_saying_shared_sectors_matter_raise_the_sector_weight():
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim + 0.25 * sector >= 0.55))
    assert learned is not None
    assert learned.weights["sector"] > scoring.WEIGHTS["sector"] + 0.03
    assert learned.weights["sector"] <= learning.UPPER


def test_a_part_that_never_varies_keeps_its_hand_set_weight():
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.5))
    assert "complementarity" not in learned.moved
    assert learned.weights["complementarity"] == scoring.WEIGHTS["complementarity"]
    assert learned.weights["semantic"] == 1.0 and learned.weights["freshness"] == scoring.WEIGHTS["freshness"]


def test_nothing_is_learned_below_the_threshold():
    rule = lambda sim, sector: sim >= 0.5  # noqa: E731
    assert learning.fit_weights(sector_marks(rule, n=14)) is None  # 28 marks
    few_bad = [m for m in sector_marks(rule) if m.good] + [m for m in sector_marks(rule) if not m.good][:9]
    assert learning.fit_weights(few_bad) is None
    half_weight = [
        learning.Mark(m.parts, m.good, 0.5) for m in sector_marks(rule, n=20)
    ]  # 40 marks, 20 by weight
    assert learning.fit_weights(half_weight) is None


def test_the_fit_is_deterministic():
    marks = sector_marks(lambda sim, sector: sim + 0.1 * sector >= 0.52)
    assert learning.fit_weights(marks) == learning.fit_weights(list(marks))


def test_weights_stay_within_their_bounds_however_extreme_the_marks():
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.65 or sector == 1.0) * 20)
    assert scoring.WEIGHTS["sector"] < learned.weights["sector"] <= learning.UPPER
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.5 and sector == 0.0) * 20)
    assert learned.weights["sector"] == 0.0  # a shared sector never counts against a pair


# --- the platform ---------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _fresh_weights_cache(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    feedback.clear_cache()
    yield
    feedback.clear_cache()


def make_idea(world, number):
    from partnerhub.ideas.models import ProjectIdea
    from partnerhub.pipeline.stages import first_stage
    from partnerhub.privacy.models import PrivacyNotice

    return ProjectIdea.objects.create(
        agency=world.home_agency, title=f"Idee {number:03d}", organisation_name="Hengtong",
        organisation_kind="sme", organisation_country="CN", contact_name="王晓明",
        contact_email="wang@hengtong.example.cn", language="de", consent_given_at=timezone.now(),
        privacy_notice=PrivacyNotice.current(), email_confirmed_at=timezone.now(), area="technology",
        description="Leichtbau", stage=first_stage(world.home_agency),
    )  # fmt: skip


@pytest.fixture
def scored(world):
    """Eighty stored suggestions whose parts are those of ``sector_marks``, not yet marked."""
    target = make_idea(world, 999)
    kind = ContentType.objects.get_for_model(target)
    rows = []
    for number, mark in enumerate(sector_marks(lambda sim, sector: True)):
        source = make_idea(world, number)
        rows.append(
            Suggestion.objects.create(
                source_type=kind,
                source_id=source.pk,
                target_type=kind,
                target_id=target.pk,
                source_agency=world.home_agency,
                target_agency=world.home_agency,
                target_organisation=world.public_org,
                score=learning.total(mark.parts),
                parts=dict(mark.parts),
            )
        )
    return rows


def mark_all(rows, actor, capture, good=lambda parts: parts["semantic"] >= 0.5):
    for row in rows:
        with capture(execute=True):
            review.record_feedback(row, good(row.parts), actor=actor)


def test_marks_recorded_through_the_service_refit_the_weights_in_the_background(
    scored, agency_staff, django_capture_on_commit_callbacks
):
    assert feedback.current_weights() == scoring.WEIGHTS
    mark_all(scored, agency_staff, django_capture_on_commit_callbacks)
    row = feedback.latest()
    assert row.marks >= learning.MIN_MARKS
    assert row.after["auc"] >= row.before["auc"]
    assert feedback.current_weights()["sector"] < scoring.WEIGHTS["sector"] - 0.03
    entries = AuditEntry.objects.filter(action="matching.weights_learned").order_by("pk")
    assert entries.first().data["changes"]["sector"][0] == scoring.WEIGHTS["sector"]  # from the hand-set
    # later fits on more marks may land on the same weights: those store a row but no audit entry
    assert feedback.current_weights() == {**row.weights, "penalties": row.weights["penalties"]}


def test_no_weights_are_stored_while_there_are_too_few_marks(
    scored, agency_staff, django_capture_on_commit_callbacks
):
    mark_all(scored[:25], agency_staff, django_capture_on_commit_callbacks)
    assert not LearnedWeights.objects.exists()
    assert feedback.current_weights() == scoring.WEIGHTS


def test_the_weights_are_refitted_at_most_every_n_marks(
    scored, agency_staff, django_capture_on_commit_callbacks
):
    mark_all(scored[:60], agency_staff, django_capture_on_commit_callbacks)
    fits = LearnedWeights.objects.count()
    assert fits >= 1
    # Move the marks so far and the fits back in time, so "after the newest fit" is exact whatever the clock.
    Suggestion.objects.exclude(feedback_at=None).update(feedback_at=timezone.now() - timedelta(minutes=2))
    LearnedWeights.objects.update(fitted_at=timezone.now() - timedelta(minutes=1))
    mark_all(scored[60 : 60 + feedback.REFIT_EVERY - 1], agency_staff, django_capture_on_commit_callbacks)
    assert LearnedWeights.objects.count() == fits
    mark_all(scored[60 + feedback.REFIT_EVERY - 1 : 60 + feedback.REFIT_EVERY], agency_staff,
             django_capture_on_commit_callbacks)  # fmt: skip
    assert LearnedWeights.objects.count() == fits + 1


def test_a_staff_review_counts_as_half_a_mark_and_a_members_answer_replaces_it(scored, agency_staff):
    review.review(scored[0], "accept", actor=agency_staff)
    review.review(scored[1], "dismiss", actor=agency_staff, reason="already in contact")
    review.review(scored[2], "dismiss", actor=agency_staff, reason="not relevant")
    review.record_feedback(scored[2], True, actor=agency_staff)
    marks = feedback.collect_marks()
    assert [(m.good, m.weight) for m in marks] == [(True, 0.5), (False, 0.5), (True, 1.0)]


def test_current_weights_is_cached_and_follows_a_newly_stored_row(scored, django_assert_num_queries):
    assert feedback.current_weights() == scoring.WEIGHTS
    with django_assert_num_queries(0):
        feedback.current_weights()
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.5))
    feedback.store_weights(learned)
    assert feedback.current_weights() == learned.weights


def test_another_process_sees_a_new_row_after_the_check_interval(scored, monkeypatch):
    assert feedback.current_weights() == scoring.WEIGHTS
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.5))
    LearnedWeights.objects.create(weights=learned.weights, marks=80)  # stored elsewhere: no cache cleared
    assert feedback.current_weights() == scoring.WEIGHTS
    monkeypatch.setattr(feedback, "CHECK_EVERY", 0.0)
    assert feedback.current_weights() == learned.weights


def test_the_same_weights_again_store_a_row_but_no_audit_entry(scored):
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.5))
    feedback.store_weights(learned)
    feedback.store_weights(learned)
    assert LearnedWeights.objects.count() == 2
    assert AuditEntry.objects.filter(action="matching.weights_learned").count() == 1


def test_learned_weights_are_read_only_in_the_admin_and_for_operators_only(world, superuser, agency_staff):
    learned = learning.fit_weights(sector_marks(lambda sim, sector: sim >= 0.5))
    row = feedback.store_weights(learned)
    client = Client()
    client.force_login(superuser)
    changelist = reverse("admin:matching_learnedweights_changelist")
    change = reverse("admin:matching_learnedweights_change", args=[row.pk])
    assert client.get(changelist).status_code == 200
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:matching_learnedweights_add")).status_code == 403
    assert client.post(reverse("admin:matching_learnedweights_delete", args=[row.pk])).status_code == 403
    assert LearnedWeights.objects.filter(pk=row.pk).exists()
    client.force_login(agency_staff)
    assert client.get(changelist).status_code == 403


def test_a_weight_missing_from_a_stored_row_falls_back_to_the_hand_set_one(db):
    LearnedWeights.objects.create(weights={"semantic": 1.0, "sector": 0.02, "penalties": {}}, marks=40)
    weights = feedback.current_weights()
    assert weights["sector"] == 0.02 and weights["region"] == scoring.WEIGHTS["region"]
    assert weights["penalties"] == scoring.WEIGHTS["penalties"]
    weights["penalties"]["same_side"] = 9.0  # a caller's change does not reach the cache
    assert feedback.current_weights()["penalties"]["same_side"] == scoring.WEIGHTS["penalties"]["same_side"]
