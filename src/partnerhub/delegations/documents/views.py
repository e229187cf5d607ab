"""Downloads of a trip's documents for the staff who may edit the trip: badges, letters, participant list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from partnerhub.delegations.documents import services as documents
from partnerhub.delegations.models import Delegation, Registration

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _editable_trip(request, slug, outgoing_only=False) -> Delegation:
    trips = Delegation.objects.editable_by(request.user)
    if outgoing_only:
        trips = trips.filter(direction=Delegation.Direction.OUTGOING)
    return get_object_or_404(trips.select_related("partnership__agency__organisation"), slug=slug)


def _seated(request, trip):
    """Who gets a badge or a letter: pending or confirmed registrations, through the visibility rule."""
    return (
        Registration.objects.editable_by(request.user)
        .seated()
        .filter(delegation=trip)
        .select_related("delegation")
        .order_by("family_name", "given_name", "pk")
    )


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    # Passport numbers and contact details: never kept in a shared cache.
    response["Cache-Control"] = "private, no-store"
    return response


def _unavailable(request, trip, error, status=503):
    return _page(request, trip, error=str(error), status=status)


def _page(request, trip, error="", status=200):
    return render(
        request,
        "delegations/documents/index.html",
        {
            "trip": trip,
            "registrations": _seated(request, trip),
            "is_outgoing": trip.direction == Delegation.Direction.OUTGOING,
            "problems": documents.unavailable_reasons(),
            "error": error,
        },
        status=status,
    )


@login_required
def documents_index(request, slug):
    return _page(request, _editable_trip(request, slug))


@login_required
def badges_pdf(request, slug):
    trip = _editable_trip(request, slug)
    registrations = list(_seated(request, trip))
    if not registrations:
        messages.info(request, _("No registration is pending or confirmed yet: there is no badge to print."))
        return redirect("delegations:documents_index", slug=trip.slug)
    try:
        data = documents.badge_pdf(registrations)
    except documents.DocumentsUnavailable as exc:
        return _unavailable(request, trip, exc)
    return _download(data, PDF, f"{trip.slug}-badges.pdf")


@login_required
def invitation_letter(request, slug, pk):
    trip = _editable_trip(request, slug, outgoing_only=True)
    registration = get_object_or_404(_seated(request, trip), pk=pk)
    # ?lang=de|en|zh-hans; an unknown value gets the English letter, which every visa section reads.
    language = request.GET.get("lang", documents.LETTER_LANGUAGE)
    if language not in documents.LETTER_LANGUAGES:
        language = documents.LETTER_LANGUAGE
    try:
        data = documents.invitation_letter_pdf(registration, language)
    except documents.DocumentsUnavailable as exc:
        return _unavailable(request, trip, exc)
    return _download(data, PDF, f"{trip.slug}-invitation-{registration.pk}-{language}.pdf")


@login_required
def participants_xlsx(request, slug):
    trip = _editable_trip(request, slug)
    try:
        data = documents.participants_xlsx(trip)
    except documents.DocumentsUnavailable as exc:
        return _unavailable(request, trip, exc)
    return _download(data, XLSX, f"{trip.slug}-participants.xlsx")
