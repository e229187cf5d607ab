"""The map of the programme, drawn offline from boundaries shipped in our static files."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from partnerhub.maps.places import map_data, places_for


def programme_map(request):
    """Everyone may look; each viewer sees the partnerships and organisations visible to them."""
    places, partnerships = places_for(request.user)
    data = map_data(places, partnerships)
    data["texts"] = {
        "organisations": _("Organisations"),
        "region": _("Region"),
        "partnership": _("Partnership"),
        "attribution": _("Boundaries: Natural Earth"),
    }
    context = {
        "places": places,
        "map_data": data,
        "unplaced": [p for p in places if p.position is None],
    }
    return render(request, "maps/map.html", context)
