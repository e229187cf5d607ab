"""The profile list's filters, shared by the list page and its exports so both show the same rows."""

from django.db.models import Q

from partnerhub.organisations import search
from partnerhub.profiles.forms import ProfileFilterForm
from partnerhub.profiles.models import CooperationProfile


def region_q(slug: str) -> Q:
    """Profiles from or seeking partners in the region, or in a region within it (three levels down)."""
    q = Q()
    for via in ("organisation__region", "target_regions"):
        for depth in range(3):
            q |= Q(**{f"{via}__{'parent__' * depth}slug": slug})
    return q


def profile_list(user, params) -> tuple[ProfileFilterForm, object]:
    """The filter form bound to ``params`` and the profiles ``user`` may see that match it. Invalid fields
    are reported on the form; the valid ones still narrow the list."""
    form = ProfileFilterForm(params or None)
    profiles = CooperationProfile.objects.visible_to(user).select_related("organisation__region")
    if form.is_bound:
        form.is_valid()
        data = form.cleaned_data
        profiles = search.search(profiles, data.get("q", ""))
        if data.get("profile_type"):
            profiles = profiles.filter(profile_type=data["profile_type"])
        if data.get("sector"):
            profiles = profiles.filter(
                pk__in=CooperationProfile.objects.filter(search.sector_q(data["sector"]))
            )
        if data.get("region"):
            profiles = profiles.filter(pk__in=CooperationProfile.objects.filter(region_q(data["region"])))
    return form, profiles
