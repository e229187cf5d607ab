"""Registration pages: the public form, the participant's personal page, and the staff list."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from partnerhub.accounts.visibility import viewer_for
from partnerhub.core.abuse import rate_limited
from partnerhub.delegations.models import Delegation, Registration, RegistrationQuestion
from partnerhub.delegations.registration import filters, services
from partnerhub.delegations.registration.forms import (
    DeclineForm,
    RegistrationForm,
    display_answer,
    parse_key,
    people_formset,
)
from partnerhub.delegations.registration.sensitive import answers_for
from partnerhub.privacy.models import PrivacyNotice


def _visible_trip(request, slug) -> Delegation:
    return get_object_or_404(Delegation.objects.visible_to(request.user), slug=slug)


def _is_leader(user) -> bool:
    """Members of an organisation and agency staff may register several people at once."""
    viewer = viewer_for(user)
    return viewer.is_superuser or viewer.is_agency_staff or viewer.organisation_id is not None


def _done(request, trip, registrations, leader: bool):
    if leader:
        return redirect("delegations:registration_list", trip.slug)
    return redirect("delegations:registration_status", registrations[0].access_token)


def _previous(request, trip) -> list[Registration]:
    """A re-posted form whose registrations exist is answered like the first post, without counting it."""
    key = parse_key(request.POST.get("submission_key"))
    if key is None:
        return []
    return list(Registration.objects.filter(delegation=trip, submission_key=key))


def register(request, slug):
    """Register oneself, or — as a leader — several people of one's organisation; typed input is kept."""
    trip = _visible_trip(request, slug)
    leader = _is_leader(request.user)
    organisation = getattr(request.user, "organisation", None) if request.user.is_authenticated else None
    status = 200
    if not trip.registration_is_open():
        opens_later = bool(trip.registration_opens and trip.registration_opens > timezone.now())
        return render(
            request, "delegations/registration/closed.html", {"trip": trip, "opens_later": opens_later}
        )
    if request.method == "POST":
        form = RegistrationForm(request.POST, organisation=organisation)
        people = people_formset(trip, leader=leader, data=request.POST)
        previous = _previous(request, trip)
        if previous:
            return _done(request, trip, previous, leader)
        if not request.user.is_authenticated and rate_limited(request, "registration"):
            form.add_error(None, _("Too many registrations from your network. Please try again in an hour."))
            status = 429
        elif form.is_valid() & people.is_valid():  # both validated, so every error shows at once
            filled = people.filled_forms()
            person_data = [f.person_data() for f in filled]
            for data in person_data:
                data["organisation_name"] = (
                    organisation.name if organisation else form.cleaned_data["organisation_name"]
                )
            try:
                registrations = services.register(
                    trip,
                    person_data,
                    registered_by=request.user,
                    organisation=organisation,
                    language=translation.get_language(),
                    submission_key=form.cleaned_data["submission_key"],
                    answers_per_person=[f.cleaned_data["answers"] for f in filled],
                )
            except ValidationError as exc:
                for message in exc.messages:
                    form.add_error(None, message)
            else:
                if leader:
                    messages.success(
                        request,
                        _("%(count)s registrations were received; everyone gets an e-mail.")
                        % {"count": len(registrations)},
                    )
                return _done(request, trip, registrations, leader)
    else:
        form = RegistrationForm(organisation=organisation)
        people = people_formset(trip, leader=leader)
    context = {
        "trip": trip,
        "form": form,
        "people": people,
        "leader": leader,
        "organisation": organisation,
        "privacy_notice": PrivacyNotice.current(),
        "free_seats": services.free_seats(trip),
    }
    return render(request, "delegations/registration/register.html", context, status=status)


def _answer_rows(registration: Registration) -> list[dict]:
    """Answers with the question's label; typed text keeps the language it was written in.

    Passport numbers are masked: the personal link may be forwarded (decisions/0019)."""
    questions = {q.key: q for q in registration.delegation.questions.all()}
    typed = (RegistrationQuestion.Kind.TEXT, RegistrationQuestion.Kind.LONG_TEXT)
    rows = []
    for key, value in answers_for(registration, None, full=False).items():
        question = questions.get(key)
        if question is None:  # the organiser removed the question later
            rows.append({"label": key, "answer": str(value), "lang": registration.language})
            continue
        rows.append(
            {
                "label": question.label,
                "answer": display_answer(question, value),
                "lang": registration.language if question.kind in typed else "",
            }
        )
    return rows


def status(request, token):
    """The participant's page through their personal link: where they stand, their answers, cancelling."""
    registration = get_object_or_404(
        Registration.objects.select_related("delegation", "privacy_notice"), access_token=token
    )
    context = {
        "registration": registration,
        "trip": registration.delegation,
        "position": services.waiting_position(registration),
        "answers": _answer_rows(registration),
        "can_cancel": registration.status not in services.ENDED,
    }
    return render(request, "delegations/registration/status.html", context)


@require_POST
def cancel(request, token):
    registration = get_object_or_404(Registration, access_token=token)
    services.cancel(registration)  # the personal link is the participant's proof
    messages.success(request, _("Your registration is cancelled. You will receive an e-mail."))
    return redirect("delegations:registration_status", token)


@login_required
def registration_list(request, slug):
    """Registrations of a trip the user may see, with counts; approve and decline where the user may."""
    trip = _visible_trip(request, slug)
    visible, status, shown = filters.registration_list(request.user, trip, request.GET)
    counts = visible.aggregate(
        held=Count("pk", filter=Q(status__in=[Registration.Status.PENDING, Registration.Status.CONFIRMED])),
        waiting=Count("pk", filter=Q(status=Registration.Status.WAITING)),
        total=Count("pk"),
    )
    shown = list(shown)
    editable = set(
        Registration.objects.editable_by(request.user).filter(delegation=trip).values_list("pk", flat=True)
    )
    positions = {r.pk: services.waiting_position(r) for r in shown if r.status == Registration.Status.WAITING}
    rows = [(r, r.pk in editable, positions.get(r.pk)) for r in shown]
    context = {
        "trip": trip,
        "rows": rows,
        "counts": counts,
        "status": status,
        "statuses": Registration.Status.choices,
        "decline_form": DeclineForm(),
    }
    return render(request, "delegations/registration/list.html", context)


@login_required
@require_POST
def decide(request, slug, pk, action):
    """Approve or decline: the service checks that the user may (PermissionDenied otherwise: 403)."""
    trip = _visible_trip(request, slug)
    registration = get_object_or_404(Registration.objects.visible_to(request.user), delegation=trip, pk=pk)
    try:
        if action == "approve":
            services.approve(registration, actor=request.user)
            messages.success(request, _("%(name)s is confirmed.") % {"name": registration})
        else:
            form = DeclineForm(request.POST)
            if not form.is_valid():
                for errors in form.errors.values():
                    for error in errors:
                        messages.error(request, error)
                return redirect("delegations:registration_list", trip.slug)
            services.decline(registration, actor=request.user, reason=form.cleaned_data["reason"])
            messages.success(request, _("%(name)s was declined.") % {"name": registration})
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return redirect("delegations:registration_list", trip.slug)
