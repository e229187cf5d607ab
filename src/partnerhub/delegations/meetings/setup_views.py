"""Staff pages to set up a trip's B2B meeting days; the rules live in ``meetings/setup.py``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.core import editing
from partnerhub.delegations.meetings import setup
from partnerhub.delegations.meetings.setup_forms import (
    LengthForm,
    MeetingDayForm,
    SessionForm,
    TableAddForm,
    TableForm,
)
from partnerhub.delegations.registration.questions_views import organised_trip


def _back(trip):
    return redirect("delegations:meeting_days", slug=trip.slug)


def _page(request, trip, *, length_form=None, table_form=None, conflict=None, status=200):
    days = setup.meeting_days(trip)
    tables = list(trip.tables.all())
    slots = sum(day.slots for day in days)
    context = {
        "trip": trip,
        "days": days,
        "tables": tables,
        "slot_count": slots,
        "places": slots * len(tables),
        "length_form": length_form or LengthForm(instance=trip),
        "table_form": table_form or TableAddForm(),
        "conflict": conflict,
    }
    return render(request, "delegations/meeting_days/index.html", context, status=status)


@login_required
def meeting_days(request, slug):
    return _page(request, organised_trip(request, slug))


@login_required
def meeting_day_add(request, slug):
    trip = organised_trip(request, slug)
    form = MeetingDayForm(request.POST or None, trip=trip)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved, _conflict = editing.save_through(
            form,
            lambda: setup.add_meeting_day(
                trip, actor=request.user, day=data["day"], stop=data["stop"], times=data["times"],
                venue=data["venue"],
            ),
        )  # fmt: skip
        if saved:
            messages.success(request, _("The meeting day was added."))
            return _back(trip)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "delegations/meeting_days/day_form.html", {"trip": trip, "form": form}, status=status
    )


@login_required
@require_POST
def meeting_length(request, slug):
    trip = organised_trip(request, slug)
    form = LengthForm(request.POST, instance=trip)
    conflict = None
    if form.is_valid():
        minutes = form.cleaned_data["meeting_minutes"]
        saved, conflict = editing.save_through(
            form,
            lambda: setup.set_meeting_length(trip, minutes, actor=request.user, version=form.seen_version),
        )
        if saved:
            messages.success(request, _("The length of a meeting was saved."))
            return _back(trip)
    trip.refresh_from_db()
    return _page(request, trip, length_form=form, conflict=conflict, status=400)


def _session(trip, pk):
    return get_object_or_404(setup.sessions_of(trip), pk=pk)


@login_required
def session_edit(request, slug, pk):
    trip = organised_trip(request, slug)
    session = _session(trip, pk)
    form = SessionForm(request.POST or None, instance=session, trip=trip)
    context = {"trip": trip, "form": form, "session": session, "conflict": None}
    if request.method == "POST" and form.is_valid():
        saved, context["conflict"] = editing.save_through(
            form, lambda: setup.save_session(form.instance, actor=request.user, version=form.seen_version)
        )
        if saved:
            messages.success(request, _("The session was saved."))
            return _back(trip)
    status = 400 if request.method == "POST" else 200
    return render(request, "delegations/meeting_days/session_form.html", context, status=status)


def _act(request, trip, action, success: str):
    try:
        action()
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, success)
    return _back(trip)


@login_required
@require_POST
def session_remove(request, slug, pk):
    trip = organised_trip(request, slug)
    session = _session(trip, pk)
    return _act(
        request,
        trip,
        lambda: setup.remove_session(session, actor=request.user),
        _("The session was removed."),
    )


@login_required
@require_POST
def table_add(request, slug):
    trip = organised_trip(request, slug)
    form = TableAddForm(request.POST)
    if form.is_valid():
        saved, _conflict = editing.save_through(
            form, lambda: setup.add_table(trip, form.cleaned_data["name"], actor=request.user)
        )
        if saved is not None:
            messages.success(request, _("The table was added."))
            return _back(trip)
    return _page(request, trip, table_form=form, status=400)


def _table(trip, pk):
    return get_object_or_404(trip.tables.all(), pk=pk)


@login_required
def table_edit(request, slug, pk):
    trip = organised_trip(request, slug)
    table = _table(trip, pk)
    form = TableForm(request.POST or None, instance=table)
    context = {"trip": trip, "form": form, "table": table, "conflict": None}
    if request.method == "POST" and form.is_valid():
        saved, context["conflict"] = editing.save_through(
            form, lambda: setup.rename_table(form.instance, actor=request.user, version=form.seen_version)
        )
        if saved:
            messages.success(request, _("The table was renamed."))
            return _back(trip)
    status = 400 if request.method == "POST" else 200
    return render(request, "delegations/meeting_days/table_form.html", context, status=status)


@login_required
@require_POST
def table_move(request, slug, pk):
    trip = organised_trip(request, slug)
    table = _table(trip, pk)
    up = request.POST.get("direction") == "up"
    return _act(request, trip, lambda: setup.move_table(table, actor=request.user, up=up), _("Tables saved."))


@login_required
@require_POST
def table_remove(request, slug, pk):
    trip = organised_trip(request, slug)
    table = _table(trip, pk)
    return _act(
        request, trip, lambda: setup.remove_table(table, actor=request.user), _("The table was removed.")
    )
