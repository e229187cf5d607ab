"""What takes part in matching: live profiles and ideas, their kinds, and who may be offered to whom.

Sources and candidates are both kinds of item: a cooperation profile or a project idea. Who may be
suggested to an item is decided by what its agency may see (``visible_to``), never by hand. The relation
between kinds (``COMPLEMENTS``) is symmetric, so "whom may X be offered to" is the same question as "who may
be offered to X", asked from the other side; the refresh after a change asks both.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from partnerhub.accounts.visibility import Viewer
from partnerhub.ideas.models import ProjectIdea
from partnerhub.pipeline.models import Stage
from partnerhub.profiles.models import CooperationProfile

Kind = CooperationProfile.ProfileType
IDEA = "idea"
PROFILE_KINDS = frozenset(Kind.values)
LANGUAGE_OF_CODE = {"de": "de", "en": "en", "zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans"}
LANGUAGE_OF_COUNTRY = {"DE": "de", "AT": "de", "CH": "de", "CN": "zh-hans"}

# Which kinds meet. An offer meets every request, of its own family or the other (a battery test lab's
# business offer answers a manufacturer's technology request for certification); the engine's structure
# prefers the own family. A request never meets a request (both want the same thing) unless both are
# research cooperation, and an offer never meets an offer. An idea is a project looking for partners: any
# profile may carry it out or ask for it, so ideas and profiles meet in every kind. Ideas do not meet ideas
# (two projects looking for partners; the agency joins them by hand). Symmetric: see the tests.
OFFERS = frozenset({Kind.TECHNOLOGY_OFFER, Kind.BUSINESS_OFFER})
REQUESTS = frozenset({Kind.TECHNOLOGY_REQUEST, Kind.BUSINESS_REQUEST, Kind.RD_REQUEST})
COMPLEMENTS: dict[str, frozenset[str]] = {
    **{kind: REQUESTS | {IDEA} for kind in OFFERS},
    **{kind: OFFERS | {IDEA} for kind in REQUESTS},
    Kind.RD_REQUEST: OFFERS | {Kind.RD_REQUEST, IDEA},
    IDEA: PROFILE_KINDS,
}


def kind_of(item) -> str:
    return IDEA if isinstance(item, ProjectIdea) else item.profile_type


def is_live(item) -> bool:
    """Whether an item takes part in matching: a published, valid profile; a confirmed idea still open."""
    if isinstance(item, ProjectIdea):
        return item.is_confirmed and not item.is_closed
    return item.status == CooperationProfile.Status.PUBLISHED and not item.is_past_validity


def live_profiles() -> models.QuerySet:
    return CooperationProfile.objects.filter(
        status=CooperationProfile.Status.PUBLISHED, valid_until__gte=timezone.localdate()
    )


def live_ideas() -> models.QuerySet:
    """Confirmed ideas in no stage or an open one (``PipelineItem.is_closed`` in SQL)."""
    return ProjectIdea.objects.confirmed().filter(
        Q(stage__isnull=True) | Q(stage__outcome=Stage.Outcome.OPEN)
    )


def live_items() -> list:
    ideas = list(live_ideas().select_related("stage", "organisation", "agency"))
    return list(live_profiles().select_related("organisation", "agency")) + ideas


def item_by_key(model_label: str, pk: int):
    model = ContentType.objects.get_by_natural_key(*model_label.split(".")).model_class()
    return model.objects.filter(pk=pk).first()


def content_type(item) -> ContentType:
    return ContentType.objects.get_for_model(item)


def key(item) -> tuple[int, int]:
    """(content type id, primary key): how vectors and the vector store name an item."""
    return (content_type(item).pk, item.pk)


def agency_viewer(agency) -> Viewer:
    """The agency as a viewer: what its staff may see is what may be suggested to its items."""
    return Viewer(is_authenticated=True, agency_id=agency.pk, agency_family=frozenset(agency.family_ids()))


def _not_itself(queryset: models.QuerySet, item, model) -> models.QuerySet:
    if item.organisation_id is not None:
        queryset = queryset.exclude(organisation_id=item.organisation_id)
    if isinstance(item, model):
        queryset = queryset.exclude(pk=item.pk)
    return queryset


def candidate_profiles(item) -> models.QuerySet:
    """Live profiles the item's agency may see, of another organisation, of a complementary kind."""
    kinds = COMPLEMENTS[kind_of(item)] & PROFILE_KINDS
    profiles = CooperationProfile.objects.visible_to(agency_viewer(item.agency)).filter(
        status=CooperationProfile.Status.PUBLISHED,
        valid_until__gte=timezone.localdate(),
        profile_type__in=kinds,
    )
    found = _not_itself(profiles, item, CooperationProfile).select_related("organisation", "agency")
    return found.prefetch_related("sectors")


def candidate_ideas(item) -> models.QuerySet:
    """Live ideas the item's agency may see (its family's and those shared with it), of another organisation.

    Only ideas linked to a directory organisation: a suggestion names the organisation of both ends
    (``Suggestion.target_organisation`` is required), and a submission becomes one when staff link it.
    """
    if IDEA not in COMPLEMENTS[kind_of(item)]:
        return ProjectIdea.objects.none()
    ideas = live_ideas().filter(
        ProjectIdea.visibility_q(agency_viewer(item.agency)), organisation__isnull=False
    )
    return _not_itself(ideas, item, ProjectIdea).select_related("stage", "organisation", "agency")


def candidate_sets(item) -> list[models.QuerySet]:
    """The item's candidates, one queryset per model (each model is a content type in the vector store)."""
    return [candidate_profiles(item), candidate_ideas(item)]


def candidates_for(item) -> list:
    """Every candidate of the item, profiles and ideas."""
    return [c for queryset in candidate_sets(item) for c in queryset]
