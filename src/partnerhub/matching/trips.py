"""B2B meeting suggestions for a delegation trip, from the matching of its participants' profiles."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.delegations.meetings import services as meeting_services
from partnerhub.delegations.models import Delegation, MeetingRequest, Registration
from partnerhub.matching.models import Suggestion
from partnerhub.organisations.models import Organisation
from partnerhub.profiles.models import CooperationProfile

MEETINGS_PER_ORGANISATION = 5
Status = Suggestion.Status


def _side_of(organisation: Organisation) -> int:
    return organisation.owner_agency.root.pk


@transaction.atomic
def suggest_trip_meetings(delegation: Delegation, *, actor) -> list[MeetingRequest]:
    """B2B meeting suggestions for a trip from the matching between its confirmed participants' profiles.

    Pairs come from accepted, then new, suggestions between organisations of the two sides (different
    agency families), best first; each organisation gets at most ``MEETINGS_PER_ORGANISATION``.
    """
    if not meeting_services.can_manage(actor, delegation):
        raise PermissionDenied(_("Only the organisers of this trip can do that."))
    registrations: dict[int, Registration] = {}
    for registration in delegation.registrations.filter(
        status=Registration.Status.CONFIRMED, organisation__isnull=False
    ).select_related("organisation__owner_agency"):
        registrations.setdefault(registration.organisation_id, registration)
    first = Case(When(status=Status.ACCEPTED, then=Value(0)), default=Value(1), output_field=IntegerField())
    suggestions = (
        Suggestion.objects.filter(
            source_type=ContentType.objects.get_for_model(CooperationProfile),
            target_type=ContentType.objects.get_for_model(CooperationProfile),  # profiles meet profiles here
            source_organisation_id__in=registrations,
            target_organisation_id__in=registrations,
            status__in=[Status.ACCEPTED, Status.NEW],
        )
        .annotate(_accepted_first=first)
        .order_by("_accepted_first", "-score", "pk")
    )
    created, pairs, per_organisation = [], set(), {}
    for suggestion in suggestions:
        a, b = (
            registrations[suggestion.source_organisation_id],
            registrations[suggestion.target_organisation_id],
        )
        pair = frozenset((a.organisation_id, b.organisation_id))
        if pair in pairs or _side_of(a.organisation) == _side_of(b.organisation):
            continue
        if max(per_organisation.get(a.organisation_id, 0), per_organisation.get(b.organisation_id, 0)) >= (
            MEETINGS_PER_ORGANISATION
        ):
            continue
        message = _("Suggested from the matching of your cooperation profiles: %(summary)s") % {
            "summary": suggestion.target.summary
        }
        try:
            with transaction.atomic():
                request = meeting_services.suggest_meeting(delegation, a, b, message, actor=actor)
        except ValidationError:
            continue  # already requested, or not a valid pair for the trip
        pairs.add(pair)
        for org in pair:
            per_organisation[org] = per_organisation.get(org, 0) + 1
        created.append(request)
    audit.record(actor, "matching.trip_meetings_suggested", delegation, count=len(created))
    return created
