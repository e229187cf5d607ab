"""What the programme map shows: regions, organisations and partnerships the viewer may see.

Regions are public facts; the map shows those taking part in a partnership the viewer sees and those of
the organisations the viewer sees (an organisation is placed at its region: organisations have no
coordinates of their own). Two queries, however many places there are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from partnerhub.engines.transliteration import transliterate
from partnerhub.organisations.models import Organisation
from partnerhub.partnerships.models import Partnership

ORGANISATIONS_SHOWN = 500


@dataclass
class Place:
    """A region on the map and in the list below it, with what the viewer sees there."""

    region: object
    organisations: list = field(default_factory=list)
    partnerships: list = field(default_factory=list)

    @property
    def position(self) -> tuple[float, float] | None:
        region = self.region
        if region.latitude is None or region.longitude is None:
            return None
        return float(region.latitude), float(region.longitude)


def places_for(user) -> tuple[list[Place], list]:
    """The places (regions) in the reader's order of names, and the partnerships between them."""
    partnerships = list(
        Partnership.objects.visible_to(user).select_related("home_region", "partner_region").order_by("slug")
    )
    organisations = list(
        Organisation.objects.visible_to(user)
        .select_related("region")
        .order_by("name", "pk")[:ORGANISATIONS_SHOWN]
    )
    places: dict[int, Place] = {}

    def place(region) -> Place:
        return places.setdefault(region.pk, Place(region=region))

    for partnership in partnerships:
        place(partnership.home_region).partnerships.append(partnership)
        place(partnership.partner_region).partnerships.append(partnership)
    for organisation in organisations:
        place(organisation.region).organisations.append(organisation)
    # Chinese names sort by their pinyin, so 扬州 comes under Y in every language.
    ordered = sorted(places.values(), key=lambda p: transliterate(str(p.region)).casefold())
    return ordered, partnerships


def map_data(places: list[Place], partnerships: list) -> dict:
    """What map.js draws (through json_script): names in the reader's language, links, coordinates."""
    regions, organisations = [], []
    for p in places:
        if p.position is None:
            continue
        lat, lng = p.position
        regions.append(
            {
                "name": str(p.region),
                "url": p.region.get_absolute_url(),
                "lat": lat,
                "lng": lng,
                "organisations": len(p.organisations),
            }
        )
        for organisation in p.organisations:
            organisations.append(
                {
                    "name": organisation.display_name,
                    "url": organisation.get_absolute_url(),
                    "lat": lat,
                    "lng": lng,
                    "region": str(p.region),
                }
            )
    lines = []
    for partnership in partnerships:
        home, partner = partnership.home_region, partnership.partner_region
        if None in (home.latitude, home.longitude, partner.latitude, partner.longitude):
            continue
        lines.append(
            {
                "name": str(partnership),
                "url": partnership.get_absolute_url(),
                "from": [float(home.latitude), float(home.longitude)],
                "to": [float(partner.latitude), float(partner.longitude)],
            }
        )
    return {"regions": regions, "organisations": organisations, "partnerships": lines}
