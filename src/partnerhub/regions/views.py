from django.shortcuts import get_object_or_404, render

from partnerhub.delegations.models import Delegation
from partnerhub.organisations.models import Organisation
from partnerhub.partnerships.models import Partnership
from partnerhub.regions.models import Region


def region_list(request):
    regions = Region.objects.select_related("parent").order_by("country", "slug")
    return render(request, "regions/list.html", {"regions": regions})


def region_detail(request, slug):
    region = get_object_or_404(Region.objects.select_related("parent"), slug=slug)
    region_ids = [region.pk, *region.children.values_list("pk", flat=True)]
    partnerships = Partnership.objects.visible_to(request.user).involving(region)
    organisations = Organisation.objects.visible_to(request.user).filter(region_id__in=region_ids)
    delegations = Delegation.objects.visible_to(request.user).filter(destinations=region).distinct()
    return render(
        request,
        "regions/detail.html",
        {
            "region": region,
            "children": region.children.all(),
            "sectors": region.strength_sectors.all(),
            "partnerships": partnerships.distinct().select_related("partner_region", "home_region"),
            "organisation_count": organisations.count(),
            "organisations": organisations.order_by("-headcount")[:8],
            "delegations": delegations,
        },
    )
