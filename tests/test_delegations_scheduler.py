"""The trip pages and the optimal scheduler engine: status, bound, re-scheduling and reasons in words."""
# ruff: noqa: F811 — the trip fixtures are imported from the meetings tests

import pytest
from django.urls import reverse
from django.utils import translation

from partnerhub.delegations.meetings import explanations as schedule_explanations
from partnerhub.delegations.meetings import services
from partnerhub.delegations.models import MeetingRequest, ScheduleRun
from tests.test_delegations_meetings import alice, at, bo, register, tables, trip  # noqa: F401

pytestmark = pytest.mark.django_db


def accepted(a, b):
    return MeetingRequest.objects.create(
        delegation=a.delegation, requester=a, recipient=b, status=MeetingRequest.Status.ACCEPTED
    )


def run(trip, actor, capture):
    with capture(execute=True):
        scheduler_run = services.run_scheduler(trip, actor=actor)
    scheduler_run.refresh_from_db()
    return scheduler_run


def status_partial(client, trip, scheduler_run, language="en"):
    with translation.override(language):
        url = reverse("delegations:meetings_run_status", args=[trip.slug, scheduler_run.pk])
    return client.get(url).content.decode()


def test_a_run_reports_a_proven_optimal_schedule_with_its_bound(
    client, trip, alice, bo, tables, agency_staff, django_capture_on_commit_callbacks
):
    guests = [register(trip, f"Guest{i}", org_name=f"Guest {i} Ltd") for i in range(3)]
    for guest in guests:
        accepted(guest, alice)
    accepted(bo, alice)
    scheduler_run = run(trip, agency_staff, django_capture_on_commit_callbacks)
    summary = scheduler_run.summary
    assert (scheduler_run.status, summary["status"]) == (ScheduleRun.Status.DONE, "optimal")
    assert summary["scheduled"] == 4 and summary["breaks"] == summary["bound"] == 0
    client.force_login(agency_staff)
    page = status_partial(client, trip, scheduler_run)
    assert "Proven optimal: 0 gaps in all agendas together" in page
    assert "cpsat/1" in page


def test_an_impossible_day_is_explained_with_names_in_the_readers_language(
    client, trip, alice, bo, tables, agency_staff, member_b, django_capture_on_commit_callbacks
):
    fixed = services.fix_meeting(accepted(alice, bo), starts_at=at(9), table=tables[0], actor=agency_staff)
    services.declare_unavailable(bo, at(9), at(10), actor=member_b)  # after the meeting was fixed
    scheduler_run = run(trip, agency_staff, django_capture_on_commit_callbacks)
    assert scheduler_run.status == ScheduleRun.Status.FAILED
    assert scheduler_run.summary["status"] == "infeasible"
    assert scheduler_run.summary["reasons"][0]["code"] == "fixed_slot_unavailable"
    client.force_login(agency_staff)
    english = status_partial(client, trip, scheduler_run)
    assert "No schedule can satisfy every rule" in english
    assert f"The meeting {fixed} is fixed to" in english and "but Bo is not available then." in english
    german = status_partial(client, trip, scheduler_run, "de")
    assert "Bo" in german and "nicht verfügbar" in german


def test_running_again_after_publication_moves_as_few_meetings_as_possible(
    trip, alice, bo, tables, agency_staff, django_capture_on_commit_callbacks
):
    guests = [register(trip, f"Guest{i}", org_name=f"Guest {i} Ltd") for i in range(3)]
    for guest in guests:
        accepted(guest, alice)
    first = run(trip, agency_staff, django_capture_on_commit_callbacks)
    assert first.summary["moved"] is None  # nothing published yet
    with django_capture_on_commit_callbacks(execute=True):
        services.publish_schedule(trip, actor=agency_staff)
    before = {m.request_id: (m.starts_at, m.table_id) for m in trip.meetings.all()}
    accepted(bo, guests[0])  # a new request after publication
    second = run(trip, agency_staff, django_capture_on_commit_callbacks)
    after = {m.request_id: (m.starts_at, m.table_id) for m in trip.meetings.all()}
    assert second.summary["scheduled"] == 4
    assert second.summary["moved"] == sum(1 for key, place in before.items() if after[key][0] != place[0])
    assert second.summary["moved"] == 0
    assert all(after[key] == place for key, place in before.items())  # same slots and tables


@pytest.mark.parametrize(
    ("reason", "english"),
    [
        (
            {"code": "participant_overloaded", "params": {"participant": "r0", "meetings": 5, "slots": 4}},
            "r0 has 5 fixed or required meetings but is available in only 4 slots.",
        ),
        (
            {"code": "tables_overloaded", "params": {"meetings": 9, "tables": 2, "slots": 4}},
            "There are 9 required meetings but only 2 tables × 4 slots.",
        ),
        (
            {"code": "spread_unattainable", "params": {"spread": 2, "smallest": 3, "found": 3}},
            "No schedule keeps everybody's number of gaps within 2 of each other.",
        ),
        (
            {"code": "precedence_cycle", "params": {"meetings": ["q1", "q2"]}},
            "These meetings must each come after the other, in a circle: q1; q2.",
        ),
        ({"code": "a_newer_code", "params": {}, "text": "Engine sentence."}, "Engine sentence."),
        ({"code": "tables_overloaded", "params": {}, "text": "Broken params."}, "Broken params."),
    ],
)
def test_reasons_become_sentences_and_unknown_ones_fall_back_to_the_engines_words(trip, reason, english):
    with translation.override("en"):
        assert schedule_explanations.explain(trip, [reason]) == [english]


def test_every_reason_code_the_engine_knows_has_a_sentence(trip):
    import inspect
    import re

    from partnerhub.engines.scheduling import diagnose

    codes = set(re.findall(r'Reason\(\s*"([a-z_]+)"', inspect.getsource(diagnose)))
    assert codes  # the engine's codes were found
    source = inspect.getsource(schedule_explanations.describe)
    assert {code for code in codes if f'"{code}"' not in source} == set()
