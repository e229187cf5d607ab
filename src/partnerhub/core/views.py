import functools

from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import condition

from partnerhub.agencies.models import Agency
from partnerhub.core.cache import public_etag
from partnerhub.delegations.models import Delegation
from partnerhub.partnerships.models import Agreement, Partnership
from partnerhub.regions.models import Region

PROGRAMME_KEYS = ("home_regions", "partner_regions", "partnerships", "agreements", "delegations", "agencies")


def _programme(user) -> dict:
    partnerships = Partnership.objects.visible_to(user).select_related("partner_region", "agency")
    partner_region_ids = {p.partner_region_id for p in partnerships}
    home_region_ids = {p.home_region_id for p in partnerships}
    regions = Region.objects.filter(pk__in=partner_region_ids | home_region_ids).select_related("parent")
    agreements = (
        Agreement.objects.visible_to(user).in_force().select_related("partnership").order_by("-signed_on")
    )
    delegations = Delegation.objects.visible_to(user).upcoming().prefetch_related("destinations")[:6]
    agencies = Agency.objects.filter(pk__in={p.agency_id for p in partnerships}, parent__isnull=True)
    return {
        "home_regions": [r for r in regions if r.pk in home_region_ids],
        "partner_regions": [r for r in regions if r.pk in partner_region_ids],
        "partnerships": partnerships,
        "agreements": agreements,
        "delegations": delegations,
        "agencies": agencies,
    }


def _today(request, *args, **kwargs):
    return [timezone.localdate()]  # what is upcoming or still valid changes at midnight


@condition(etag_func=public_etag("regions", "partnerships", "delegations", "agencies", vary=_today))
def home(request):
    """The programme at a glance: partner regions, agreements in force, upcoming delegations, the call."""
    # Each value is computed when the template first asks, so a cached page fragment costs no query.
    programme = functools.cache(lambda: _programme(request.user))
    context = {
        key: SimpleLazyObject(functools.partial(lambda key: programme()[key], key)) for key in PROGRAMME_KEYS
    }
    return render(request, "core/home.html", {**context, "today": timezone.localdate()})


def favicon(request):
    """The icon at the address browsers ask for; resolved per request, so hashed static names work too."""
    from django.templatetags.static import static

    return redirect(static("partnerhub/favicon.svg"), permanent=True)
