"""The staff pages of a trip: the trip itself, its itinerary, travel legs, programme, and next year's copy.

Thin views: forms read the input, the services in ``trips/services.py`` check the right and write. Seeing a
trip is ``visible_to``; changing it needs ``can_edit`` (a trip one may see but not edit is a 403).
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.accounts.permissions import can_add
from partnerhub.core import editing
from partnerhub.delegations.models import Delegation, ProgrammeItem, TravelLeg
from partnerhub.delegations.registration import services as registration_services
from partnerhub.delegations.trips import services
from partnerhub.delegations.trips.duplicate import duplicate_trip
from partnerhub.delegations.trips.forms import (
    DuplicateForm,
    LegForm,
    ProgrammeForm,
    TripForm,
    TripVersionForm,
    stop_formset,
)


def _editable_trip(request, slug) -> Delegation:
    trip = get_object_or_404(Delegation.objects.visible_to(request.user), slug=slug)
    services.require_trip_editor(request.user, trip)
    return trip


def _url(name: str, trip: Delegation) -> str:
    return reverse(f"delegations:{name}", args=[trip.slug])


@login_required
def trip_create(request):
    if not can_add(request.user, Delegation):
        raise PermissionDenied(_("Only staff of an agency running a partnership may create trips."))
    form = TripForm(request.POST or None, instance=Delegation(), user=request.user)
    context = {"form": form, "trip": None}
    if request.method == "POST" and form.is_valid():
        trip, context["conflict"] = editing.save_through(
            form,
            lambda: services.save_trip(
                form.instance, actor=request.user, shared_with=form.cleaned_data["shared_with"]
            ),
        )
        if trip:
            messages.success(request, _("The trip was created. Now add the cities of its itinerary."))
            return redirect(_url("trip_itinerary", trip))
    return render(request, "delegations/trips/form.html", context)


@login_required
def trip_edit(request, slug):
    trip = _editable_trip(request, slug)
    form = TripForm(request.POST or None, instance=trip, user=request.user)
    context = {"form": form, "trip": trip}
    if request.method == "POST" and form.is_valid():
        saved, context["conflict"] = editing.save_through(
            form,
            lambda: services.save_trip(
                form.instance,
                actor=request.user,
                version=form.seen_version,
                shared_with=form.cleaned_data["shared_with"],
            ),
        )
        if saved:
            messages.success(request, _("The changes were saved."))
            return redirect(saved)
    return render(request, "delegations/trips/form.html", context)


@login_required
def itinerary(request, slug):
    trip = _editable_trip(request, slug)
    data = request.POST if request.method == "POST" else None
    version_form = TripVersionForm(data, instance=trip)
    formset = stop_formset(trip, data)
    context = {"trip": trip, "formset": formset, "version_form": version_form}
    if request.method == "POST" and formset.is_valid() and version_form.is_valid():
        changed = formset.save(commit=False)
        saved, context["conflict"] = editing.save_through(
            version_form,
            lambda: services.save_itinerary(
                trip,
                changed,
                actor=request.user,
                deleted=formset.deleted_objects,
                version=version_form.seen_version,
            ),
        )
        if saved is not None:
            messages.success(request, _("The itinerary was saved."))
            return redirect(_url("trip_itinerary", trip))
    stops = list(trip.stops.select_related("region"))
    legs = list(trip.legs.select_related("origin__region", "destination__region"))
    linked = {(leg.origin_id, leg.destination_id) for leg in legs}
    context["legs"] = legs
    context["missing_legs"] = [
        (a, b) for a, b in zip(stops, stops[1:], strict=False) if (a.pk, b.pk) not in linked
    ]
    return render(request, "delegations/trips/itinerary.html", context)


def _part_page(request, trip, form, save, *, heading, back, template="delegations/trips/part_form.html"):
    context = {"trip": trip, "form": form, "heading": heading, "back": back}
    if request.method == "POST" and form.is_valid():
        saved, context["conflict"] = editing.save_through(form, lambda: save(form))
        if saved:
            messages.success(request, _("The changes were saved."))
            return redirect(back)
    return render(request, template, context)


@login_required
def leg_edit(request, slug, pk=None):
    trip = _editable_trip(request, slug)
    leg = get_object_or_404(trip.legs, pk=pk) if pk is not None else TravelLeg(delegation=trip)
    initial = {k: request.GET[k] for k in ("origin", "destination") if request.GET.get(k, "").isdigit()}
    form = LegForm(request.POST or None, instance=leg, trip=trip, initial=initial)
    return _part_page(
        request,
        trip,
        form,
        lambda f: services.save_leg(f.instance, actor=request.user, version=f.seen_version),
        heading=_("Travel leg") if pk else _("New travel leg"),
        back=_url("trip_itinerary", trip),
    )


@login_required
@require_POST
def leg_delete(request, slug, pk):
    trip = _editable_trip(request, slug)
    services.remove_leg(get_object_or_404(trip.legs, pk=pk), actor=request.user)
    messages.success(request, _("The travel leg was removed."))
    return redirect(_url("trip_itinerary", trip))


@login_required
def programme(request, slug):
    trip = _editable_trip(request, slug)
    items = trip.programme.select_related("stop__region")
    return render(request, "delegations/trips/programme.html", {"trip": trip, "items": items})


@login_required
def item_edit(request, slug, pk=None):
    trip = _editable_trip(request, slug)
    item = get_object_or_404(trip.programme, pk=pk) if pk is not None else ProgrammeItem(delegation=trip)
    initial = {}
    if pk is None and request.GET.get("kind") in ProgrammeItem.Kind.values:
        initial["kind"] = request.GET["kind"]
    form = ProgrammeForm(request.POST or None, instance=item, trip=trip, initial=initial)
    return _part_page(
        request,
        trip,
        form,
        lambda f: services.save_programme_item(f.instance, actor=request.user, version=f.seen_version),
        heading=_("Programme item") if pk else _("New programme item"),
        back=_url("trip_programme", trip),
    )


@login_required
@require_POST
def item_delete(request, slug, pk):
    trip = _editable_trip(request, slug)
    services.remove_programme_item(get_object_or_404(trip.programme, pk=pk), actor=request.user)
    messages.success(request, _("The programme item was removed."))
    return redirect(_url("trip_programme", trip))


@login_required
def duplicate(request, slug):
    trip = _editable_trip(request, slug)
    # 52 weeks later: the same weekdays, so a Monday visit stays on a Monday
    initial = {"title": trip.title, "start_date": trip.start_date + datetime.timedelta(weeks=52)}
    form = DuplicateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            copy = duplicate_trip(
                trip, form.cleaned_data["start_date"], request.user, title=form.cleaned_data["title"]
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, _("The copy was created as a planned trip. Check its dates and texts."))
            return redirect(_url("trip_edit", copy))
    return render(request, "delegations/trips/duplicate.html", {"trip": trip, "form": form})


@login_required
@require_POST
def registration_move_up(request, slug, pk):
    """Staff give a free seat to someone waiting (on a trip whose waiting list they manage, or any)."""
    trip = _editable_trip(request, slug)
    registration = get_object_or_404(trip.registrations, pk=pk)
    try:
        registration_services.move_up(registration, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s moved up from the waiting list.") % {"name": registration})
    return redirect(_url("registration_list", trip))
