"""What takes part in matching: live profiles and ideas, their kinds, and the candidates each may be offered.

A source item is a cooperation profile or a project idea; a candidate is always a published profile. Who
may be suggested to an item is decided by what its agency may see (``visible_to``), never by hand.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone

from partnerhub.accounts.visibility import Viewer
from partnerhub.ideas.models import ProjectIdea
from partnerhub.profiles.models import CooperationProfile

Kind = CooperationProfile.ProfileType
IDEA = "idea"
LANGUAGE_OF_CODE = {"de": "de", "en": "en", "zh": "zh-hans", "zh-hans": "zh-hans", "zh-cn": "zh-hans"}
LANGUAGE_OF_COUNTRY = {"DE": "de", "AT": "de", "CH": "de", "CN": "zh-hans"}

# Which kinds of profile answer which: a request is answered by an offer, and research cooperation by
# research cooperation or technology. An idea looks for any partner able to carry it out.
COMPLEMENTS: dict[str, set[str]] = {
    Kind.TECHNOLOGY_REQUEST: {Kind.TECHNOLOGY_OFFER, Kind.RD_REQUEST},
    Kind.TECHNOLOGY_OFFER: {Kind.TECHNOLOGY_REQUEST, Kind.RD_REQUEST},
    Kind.BUSINESS_REQUEST: {Kind.BUSINESS_OFFER},
    Kind.BUSINESS_OFFER: {Kind.BUSINESS_REQUEST},
    Kind.RD_REQUEST: {Kind.RD_REQUEST, Kind.TECHNOLOGY_OFFER, Kind.TECHNOLOGY_REQUEST},
    IDEA: {Kind.TECHNOLOGY_OFFER, Kind.BUSINESS_OFFER, Kind.RD_REQUEST},
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


def live_items() -> list:
    ideas = [i for i in ProjectIdea.objects.confirmed().select_related("stage") if not i.is_closed]
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


def candidates_for(item) -> models.QuerySet:
    """Published profiles the item's agency may see, of another organisation, of a complementary kind."""
    profiles = CooperationProfile.objects.visible_to(agency_viewer(item.agency)).filter(
        status=CooperationProfile.Status.PUBLISHED,
        valid_until__gte=timezone.localdate(),
        profile_type__in=COMPLEMENTS[kind_of(item)],
    )
    if item.organisation_id is not None:
        profiles = profiles.exclude(organisation_id=item.organisation_id)
    if isinstance(item, CooperationProfile):
        profiles = profiles.exclude(pk=item.pk)
    return profiles.select_related("organisation", "agency").prefetch_related("sectors")
