"""B2B meeting pages: the participant's page and the organisers' page. The rules live in ``meetings``."""

import zoneinfo

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from partnerhub.delegations.meetings import services
from partnerhub.delegations.models import Delegation, Meeting, MeetingRequest, Registration, Table

DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class RequestForm(forms.Form):
    recipient = forms.ModelChoiceField(label=gettext_lazy("Meet"), queryset=Registration.objects.none())
    message = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, acting=None, **kwargs):
        super().__init__(*args, **kwargs)
        if acting is not None:
            self.fields["recipient"].queryset = services.other_side(acting)


class UnavailableForm(forms.Form):
    starts_at = forms.DateTimeField(label=gettext_lazy("Not available from"), widget=DATETIME_WIDGET)
    ends_at = forms.DateTimeField(label=gettext_lazy("until"), widget=DATETIME_WIDGET)


class SuggestForm(forms.Form):
    requester = forms.ModelChoiceField(label=gettext_lazy("From"), queryset=Registration.objects.none())
    recipient = forms.ModelChoiceField(label=gettext_lazy("To"), queryset=Registration.objects.none())
    message = forms.CharField(
        label=gettext_lazy("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, trip, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("requester", "recipient"):
            self.fields[name].queryset = services.participants_of(trip)


class TablesForm(forms.Form):
    names = forms.CharField(
        label=gettext_lazy("Tables / rooms, one per line"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class PlaceForm(forms.Form):
    """A slot and a table, for fixing a request or moving a meeting."""

    slot = forms.ChoiceField(label=gettext_lazy("Slot"))
    table = forms.ModelChoiceField(label=gettext_lazy("Table"), queryset=Table.objects.none(), required=False)

    def __init__(self, *args, trip, **kwargs):
        super().__init__(*args, **kwargs)
        self.slots = {s.starts_at.isoformat(): s for s in services.slots_of(trip)}
        self.fields["slot"].choices = [(key, slot_label(s)) for key, s in self.slots.items()]
        self.fields["table"].queryset = trip.tables.all()


class FixForm(PlaceForm):
    request = forms.ModelChoiceField(
        label=gettext_lazy("Accepted request"), queryset=MeetingRequest.objects.none()
    )

    def __init__(self, *args, trip, **kwargs):
        super().__init__(*args, trip=trip, **kwargs)
        self.fields["request"].queryset = trip.meeting_requests.filter(
            status=MeetingRequest.Status.ACCEPTED
        ).select_related("requester", "recipient")
        self.order_fields(["request", "slot", "table"])


def slot_label(slot) -> str:
    """A slot as option text (no markup possible there): its local time and zone."""
    start = timezone.localtime(slot.starts_at, zoneinfo.ZoneInfo(slot.time_zone))
    return f"{formats.date_format(start, 'SHORT_DATETIME_FORMAT')} ({slot.time_zone})"


def _errors(request, exc) -> None:
    messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


# --- participants --------------------------------------------------------------------------------------


def _trip(slug) -> Delegation:
    return get_object_or_404(Delegation, slug=slug)


def _acting(request, trip):
    """The registrations the user acts for, and the one chosen (``as``); 404 for anybody else."""
    mine = list(services.registrations_of(request.user, trip))
    if not mine:
        raise Http404
    chosen = request.POST.get("as") or request.GET.get("as")
    acting = next((r for r in mine if str(r.pk) == chosen), mine[0])
    return mine, acting


def _with_profiles(user, registrations):
    try:
        from partnerhub.profiles.models import CooperationProfile
    except ImportError:  # the profiles app is optional for this page
        return registrations
    org_ids = {r.organisation_id for r in registrations if r.organisation_id}
    profiles = CooperationProfile.objects.visible_to(user).filter(organisation_id__in=org_ids)
    by_org: dict = {}
    for profile in profiles:
        by_org.setdefault(profile.organisation_id, []).append(profile)
    for r in registrations:
        r.profiles = by_org.get(r.organisation_id, [])
    return registrations


def _participant_page(request, trip, mine, acting, *, request_form=None, unavailable_form=None, status=200):
    context = {
        "trip": trip,
        "mine": mine,
        "acting": acting,
        "others": _with_profiles(request.user, list(services.other_side(acting))),
        "sent": acting.sent_requests.select_related("recipient").order_by("-created_at"),
        "received": acting.received_requests.select_related("requester").order_by("-created_at"),
        "unavailable": acting.unavailabilities.all(),
        "meetings": services.meetings_of(acting) if trip.schedule_published_at else None,
        "request_form": request_form or RequestForm(acting=acting),
        "unavailable_form": unavailable_form or UnavailableForm(),
        "can_manage": services.can_manage(request.user, trip),
    }
    return render(request, "delegations/meetings/participant.html", context, status=status)


@login_required
def participant(request, slug):
    trip = _trip(slug)
    try:
        mine, acting = _acting(request, trip)
    except Http404:
        if services.can_manage(request.user, trip):
            return redirect("delegations:meetings_manage", slug=slug)
        # Someone who sees the trip but takes no part in it yet is told how to, not sent to a 404; a trip
        # they may not see stays a 404 (participants of a private trip reach it through their registration).
        trip = get_object_or_404(Delegation.objects.visible_to(request.user), pk=trip.pk)
        return render(request, "delegations/meetings/not_registered.html", {"trip": trip})
    return _participant_page(request, trip, mine, acting)


def _back(acting):
    url = reverse("delegations:meetings_participant", args=[acting.delegation.slug])
    return redirect(f"{url}?as={acting.pk}")


@login_required
@require_POST
def send_request(request, slug):
    trip = _trip(slug)
    mine, acting = _acting(request, trip)
    form = RequestForm(request.POST, acting=acting)
    if form.is_valid():
        try:
            services.request_meeting(
                acting, form.cleaned_data["recipient"], form.cleaned_data["message"], actor=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Your meeting request was sent."))
            return _back(acting)
    else:
        _form_errors(request, form)
    return _participant_page(request, trip, mine, acting, request_form=form, status=400)


def _own_request(trip, pk) -> MeetingRequest:
    return get_object_or_404(
        MeetingRequest.objects.select_related("requester", "recipient"), delegation=trip, pk=pk
    )


@login_required
@require_POST
def answer(request, slug, pk):
    trip = _trip(slug)
    mine, acting = _acting(request, trip)
    meeting_request = _own_request(trip, pk)
    try:
        services.answer_request(
            meeting_request, accept=request.POST.get("answer") == "accept", actor=request.user
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Your answer was sent."))
    return _back(meeting_request.recipient if meeting_request.recipient in mine else acting)


@login_required
@require_POST
def withdraw(request, slug, pk):
    trip = _trip(slug)
    mine, acting = _acting(request, trip)
    meeting_request = _own_request(trip, pk)
    try:
        services.withdraw_request(meeting_request, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("The request was withdrawn."))
    return _back(acting)


@login_required
@require_POST
def unavailable(request, slug):
    trip = _trip(slug)
    mine, acting = _acting(request, trip)
    form = UnavailableForm(request.POST)
    with timezone.override(trip.zone):  # typed times are the trip's local times
        valid = form.is_valid()
    if valid:
        try:
            services.declare_unavailable(
                acting, form.cleaned_data["starts_at"], form.cleaned_data["ends_at"], actor=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Saved: you are not available then."))
            return _back(acting)
    else:
        _form_errors(request, form)
    return _participant_page(request, trip, mine, acting, unavailable_form=form, status=400)


@login_required
@require_POST
def unavailable_remove(request, slug, pk):
    trip = _trip(slug)
    mine, acting = _acting(request, trip)
    entry = get_object_or_404(acting.unavailabilities, pk=pk)
    services.remove_unavailability(entry, actor=request.user)
    return _back(acting)


# --- staff ---------------------------------------------------------------------------------------------


def _managed(request, slug) -> Delegation:
    return get_object_or_404(Delegation.objects.editable_by(request.user), slug=slug)


def _grid(trip, report):
    """Rows of slots × tables; meetings that sit in no slot (moved off the grid) are listed apart."""
    tables = list(trip.tables.all())
    meetings = list(trip.meetings.select_related("first", "second", "table", "request"))
    clashing = set().union(*(ids for ids, _m in report)) if report else set()
    for m in meetings:
        m.clashing = m.pk in clashing
    rows, placed = [], set()
    for slot in services.slots_of(trip):
        in_slot = [m for m in meetings if m.starts_at == slot.starts_at]
        placed |= {m.pk for m in in_slot}
        cells = [[m for m in in_slot if m.table_id == t.pk] for t in tables]
        rows.append({"slot": slot, "cells": cells, "no_table": [m for m in in_slot if m.table_id is None]})
    return tables, rows, [m for m in meetings if m.pk not in placed]


def _manage_page(request, trip, *, suggest_form=None, tables_form=None, fix_form=None, status=200):
    report = services.clash_report(trip)
    tables, rows, off_grid = _grid(trip, report)
    context = {
        "trip": trip,
        "requests": trip.meeting_requests.select_related("requester", "recipient", "suggested_by"),
        "suggest_form": suggest_form or SuggestForm(trip=trip),
        "tables_form": tables_form or TablesForm(initial={"names": "\n".join(t.name for t in tables)}),
        "fix_form": fix_form or FixForm(trip=trip),
        "place_form": PlaceForm(trip=trip),
        "tables": tables,
        "rows": rows,
        "off_grid": off_grid,
        "clashes": [message for _ids, message in report],
        "run": trip.schedule_runs.first(),
    }
    return render(request, "delegations/meetings/manage.html", context, status=status)


@login_required
def manage(request, slug):
    return _manage_page(request, _managed(request, slug))


def _staff_action(request, slug, form_class, action, *, form_name, success):
    trip = _managed(request, slug)
    form = form_class(request.POST, trip=trip) if form_class is not TablesForm else form_class(request.POST)
    if form.is_valid():
        try:
            action(trip, form.cleaned_data, form)
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, success)
            return redirect("delegations:meetings_manage", slug=slug)
    else:
        _form_errors(request, form)
    return _manage_page(request, trip, **{form_name: form}, status=400)


@login_required
@require_POST
def suggest(request, slug):
    def action(trip, data, form):
        services.suggest_meeting(
            trip, data["requester"], data["recipient"], data["message"], actor=request.user
        )

    return _staff_action(
        request, slug, SuggestForm, action, form_name="suggest_form", success=_("The suggestion was sent.")
    )


@login_required
@require_POST
def tables(request, slug):
    def action(trip, data, form):
        services.set_tables(trip, data["names"].splitlines(), actor=request.user)

    return _staff_action(
        request, slug, TablesForm, action, form_name="tables_form", success=_("Tables saved.")
    )


@login_required
@require_POST
def fix(request, slug):
    def action(trip, data, form):
        slot = form.slots[data["slot"]]
        services.fix_meeting(
            data["request"], starts_at=slot.starts_at, table=data["table"], actor=request.user
        )

    return _staff_action(
        request, slug, FixForm, action, form_name="fix_form", success=_("The meeting is fixed.")
    )


@login_required
@require_POST
def move(request, slug, pk):
    trip = _managed(request, slug)
    meeting = get_object_or_404(Meeting, delegation=trip, pk=pk)
    form = PlaceForm(request.POST, trip=trip)
    if form.is_valid():
        try:
            slot = form.slots[form.cleaned_data["slot"]]
            services.move_meeting(
                meeting, starts_at=slot.starts_at, table=form.cleaned_data["table"], actor=request.user
            )
        except (ValidationError, PermissionDenied) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("The meeting was moved."))
    else:
        _form_errors(request, form)
    return redirect("delegations:meetings_manage", slug=slug)


@login_required
@require_POST
def run(request, slug):
    trip = _managed(request, slug)
    error = None
    try:
        services.run_scheduler(trip, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        error = " ".join(getattr(exc, "messages", [str(exc)]))
    if request.headers.get("HX-Request"):
        context = {"trip": trip, "run": trip.schedule_runs.first(), "error": error}
        return render(request, "delegations/meetings/_run_status.html", context)
    if error:
        messages.error(request, error)
    return redirect("delegations:meetings_manage", slug=slug)


@login_required
def run_status(request, slug, pk):
    trip = _managed(request, slug)
    scheduler_run = get_object_or_404(trip.schedule_runs, pk=pk)
    return render(request, "delegations/meetings/_run_status.html", {"trip": trip, "run": scheduler_run})


@login_required
@require_POST
def publish(request, slug):
    trip = _managed(request, slug)
    try:
        services.publish_schedule(trip, actor=request.user)
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(
            request, _("The schedule is published; every participant gets their meetings by e-mail.")
        )
    return redirect("delegations:meetings_manage", slug=slug)
