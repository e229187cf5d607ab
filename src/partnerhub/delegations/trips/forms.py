"""Forms where people type wall-clock times of the place where something happens."""

import zoneinfo

from django import forms
from django.utils import timezone

from partnerhub.delegations.models import Delegation, ProgrammeItem, TravelLeg


class LocalTimeFormMixin:
    """Times are typed and shown in the zone of the place (``zone_of``), not in the server's zone.

    Django's form fields read a typed time in the active zone; we take that wall-clock time and attach the
    place's zone instead, so "10:00" for a visit in Yangzhou means 10:00 in Shanghai time.
    """

    local_time_fields: tuple[str, ...] = ()

    def zone_of(self, data) -> zoneinfo.ZoneInfo | None:
        raise NotImplementedError

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            zone = self.zone_of({f: getattr(instance, f, None) for f in self.fields} | {"instance": instance})
            if zone is not None:
                for name in self.local_time_fields:
                    value = getattr(instance, name, None)
                    if value is not None:
                        self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        zone = self.zone_of(cleaned)
        if zone is None:
            return cleaned
        for name in self.local_time_fields:
            value = cleaned.get(name)
            if value is not None:
                wall = timezone.make_naive(value) if timezone.is_aware(value) else value
                cleaned[name] = wall.replace(tzinfo=zone)
                if hasattr(self, "instance"):
                    setattr(self.instance, name, cleaned[name])
        return cleaned


def _zone(name) -> zoneinfo.ZoneInfo | None:
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


class ProgrammeItemForm(LocalTimeFormMixin, forms.ModelForm):
    local_time_fields = ("starts_at", "ends_at")

    class Meta:
        model = ProgrammeItem
        fields = ["stop", "kind", "title", "description", "venue", "starts_at", "ends_at", "time_zone"]

    def zone_of(self, data):
        return _zone(data.get("time_zone") or getattr(data.get("instance"), "time_zone", None))


class TravelLegForm(LocalTimeFormMixin, forms.ModelForm):
    """Departure and arrival are typed in the zone of the stop the group leaves."""

    local_time_fields = ("departs_at", "arrives_at")

    class Meta:
        model = TravelLeg
        fields = ["origin", "destination", "mode", "departs_at", "arrives_at", "details"]

    def zone_of(self, data):
        origin = data.get("origin") or getattr(data.get("instance"), "origin", None)
        return _zone(origin.time_zone) if origin else None


class DelegationForm(LocalTimeFormMixin, forms.ModelForm):
    """The registration window is typed in the trip's own zone."""

    local_time_fields = ("registration_opens", "registration_closes")

    class Meta:
        model = Delegation
        fields = ["time_zone", "registration_opens", "registration_closes"]  # the admin adds the rest

    def zone_of(self, data):
        return _zone(data.get("time_zone") or getattr(data.get("instance"), "time_zone", None))
