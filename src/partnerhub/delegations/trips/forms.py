"""Forms where people type wall-clock times of the place where something happens."""

import zoneinfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nForm, I18nFormField, I18nModelForm, I18nModelFormSet, I18nTextInput

from partnerhub.accounts.permissions import writable
from partnerhub.agencies.models import Agency
from partnerhub.core.editing import VersionedFormMixin
from partnerhub.delegations.models import Delegation, ProgrammeItem, Stop, TravelLeg
from partnerhub.delegations.registration.forms import time_zone_choices
from partnerhub.organisations.models import Person
from partnerhub.partnerships.models import Partnership
from partnerhub.regions.models import Region

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MOMENT_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class LocalTimeFormMixin:
    """Times are typed and shown in the zone of the place (``zone_of``), not in the server's zone.

    Django's form fields read a typed time in the active zone; we take that wall-clock time and attach the
    place's zone instead, so "10:00" for a visit in Yangzhou means 10:00 in Shanghai time.
    """

    local_time_fields: tuple[str, ...] = ()

    def zone_of(self, data) -> zoneinfo.ZoneInfo | None:
        raise NotImplementedError

    def zone_for(self, name: str, data) -> zoneinfo.ZoneInfo | None:
        """The zone one field is typed in; by default the form's one zone (a travel leg's arrival is typed
        in the destination's zone, its departure in the origin's)."""
        return self.zone_of(data)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if instance is not None and instance.pk:
            data = {f: getattr(instance, f, None) for f in self.fields} | {"instance": instance}
            for name in self.local_time_fields:
                zone = self.zone_for(name, data)
                value = getattr(instance, name, None)
                if zone is not None and value is not None:
                    self.initial[name] = value.astimezone(zone).replace(tzinfo=None)

    def clean(self):
        cleaned = super().clean()
        for name in self.local_time_fields:
            zone = self.zone_for(name, cleaned)
            value = cleaned.get(name)
            if zone is not None and value is not None:
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


def _leg_zone(name: str, data) -> zoneinfo.ZoneInfo | None:
    """A leg's departure is local time where the group leaves, its arrival where it arrives."""
    key = "origin" if name == "departs_at" else "destination"
    stop = data.get(key) or getattr(data.get("instance"), key, None)
    return _zone(stop.time_zone) if stop else None


class TravelLegForm(LocalTimeFormMixin, forms.ModelForm):
    """The departure is typed in the zone of the stop the group leaves, the arrival in that of the stop it
    reaches (a flight Frankfurt 20:05 → Shanghai 13:30 is typed as printed on the ticket)."""

    local_time_fields = ("departs_at", "arrives_at")

    class Meta:
        model = TravelLeg
        fields = ["origin", "destination", "mode", "departs_at", "arrives_at", "details"]

    def zone_of(self, data):
        return None

    def zone_for(self, name, data):
        return _leg_zone(name, data)


class DelegationForm(LocalTimeFormMixin, forms.ModelForm):
    """The registration window is typed in the trip's own zone."""

    local_time_fields = ("registration_opens", "registration_closes")

    class Meta:
        model = Delegation
        fields = ["time_zone", "registration_opens", "registration_closes"]  # the admin adds the rest

    def zone_of(self, data):
        return _zone(data.get("time_zone") or getattr(data.get("instance"), "time_zone", None))


# --- the staff pages (trips/edit_views.py) ------------------------------------------------------------------


def _zone_field(form: forms.BaseForm, name: str, first: str, required: bool = True) -> None:
    """A model's free-text zone column as a choice of common zones (the stored one always among them)."""
    label, help_text = form.fields[name].label, form.fields[name].help_text
    choices = time_zone_choices(first)
    if not required:
        choices = [("", _("as the stop (or the trip)")), *choices]
    form.fields[name] = forms.ChoiceField(
        label=label, help_text=help_text, choices=choices, required=required
    )


class TripForm(VersionedFormMixin, LocalTimeFormMixin, I18nModelForm):
    """A trip's own text and rules; the itinerary and programme have their own pages."""

    local_time_fields = ("registration_opens", "registration_closes")

    class Meta:
        model = Delegation
        fields = [
            "title",
            "description",
            "partnership",
            "direction",
            "start_date",
            "end_date",
            "time_zone",
            "status",
            "leader",
            "is_public",
            "shared_with",
            "capacity",
            "registration_opens",
            "registration_closes",
            "needs_approval",
            "waiting_list",
            "waiting_list_limit",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "registration_opens": MOMENT_INPUT,
            "registration_closes": MOMENT_INPUT,
            "waiting_list": forms.RadioSelect,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        partnerships = writable(Partnership, user)
        if self.instance.pk is not None:  # the stored one stays a choice; the service checks a move
            partnerships = partnerships | Partnership.objects.filter(pk=self.instance.partnership_id)
        self.fields["partnership"].queryset = partnerships.distinct()
        if self.instance.pk is None and len(partnerships[:2]) == 1:
            self.initial["partnership"] = partnerships[0].pk
        self.fields["leader"].queryset = Person.objects.visible_to(user).order_by("family_name", "pk")
        self.fields["leader"].label_from_instance = lambda person: person.display_name
        self.fields["shared_with"].queryset = Agency.objects.order_by("pk")
        self.fields["shared_with"].help_text = _("Their staff see the trip and its registrations.")
        _zone_field(self, "time_zone", self.instance.time_zone or "Europe/Berlin")
        for textarea in self.fields["description"].widget.widgets:
            textarea.attrs["rows"] = 4
        for name in self.local_time_fields:
            self.fields[name].help_text = _("In the trip's time zone.")

    def zone_of(self, data):
        return _zone(data.get("time_zone") or getattr(data.get("instance"), "time_zone", None))


class StopForm(I18nModelForm):
    """One row of the itinerary; a new row is a city the group visits next."""

    class Meta:
        model = Stop
        fields = ["region", "arrival", "departure", "venue", "time_zone"]
        widgets = {"arrival": DATE_INPUT, "departure": DATE_INPUT}

    def __init__(self, *args, trip, **kwargs):
        self.trip = trip
        super().__init__(*args, **kwargs)
        regions = Region.objects.all()
        self.fields["region"].queryset = regions
        self.fields["region"].choices = [("", "---------")] + sorted(
            ((r.pk, str(r)) for r in regions), key=lambda choice: choice[1]
        )
        _zone_field(self, "time_zone", self.instance.time_zone or trip.time_zone)
        if self.instance.pk is None:
            self.initial.setdefault("time_zone", trip.time_zone)

    def clean(self):
        cleaned = super().clean()
        for name in ("arrival", "departure"):
            day = cleaned.get(name)
            if day and not (self.trip.start_date <= day <= self.trip.end_date):
                self.add_error(
                    name, _("This day is outside the trip (%(start)s – %(end)s).") % _span(self.trip)
                )
        return cleaned


def _span(trip: Delegation) -> dict:
    return {"start": trip.start_date.isoformat(), "end": trip.end_date.isoformat()}


class StopFormSet(I18nModelFormSet):
    """The whole itinerary at once: the stored stops and empty rows for the next cities."""

    def __init__(self, *args, trip, **kwargs):
        self.trip = trip
        kwargs.setdefault("queryset", trip.stops.all())
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        return {**super().get_form_kwargs(index), "trip": self.trip}


def stop_formset(trip: Delegation, data=None):
    extra = 1 if trip.stops.exists() else 2  # a two-city itinerary fits on the empty page
    formset_class = forms.modelformset_factory(
        Stop, form=StopForm, formset=StopFormSet, extra=extra, can_delete=True
    )
    return formset_class(data, trip=trip, prefix="stops")


class TripVersionForm(VersionedFormMixin, forms.ModelForm):
    """Only the trip's version, for the pages that change its parts (the itinerary)."""

    class Meta:
        model = Delegation
        fields: list[str] = []


def _trip_stops(form: forms.ModelForm, trip: Delegation, *names: str) -> None:
    for name in names:
        field = form.fields[name]
        field.queryset = trip.stops.select_related("region")
        field.label_from_instance = lambda stop: (
            f"{stop.region} ({stop.arrival:%d.%m.}–{stop.departure:%d.%m.})"
        )


class LegForm(VersionedFormMixin, LocalTimeFormMixin, forms.ModelForm):
    """The departure is typed in the local time of the origin, the arrival in that of the destination."""

    local_time_fields = ("departs_at", "arrives_at")

    class Meta:
        model = TravelLeg
        fields = ["origin", "destination", "mode", "departs_at", "arrives_at", "details"]
        widgets = {"departs_at": MOMENT_INPUT, "arrives_at": MOMENT_INPUT}

    def __init__(self, *args, trip, **kwargs):
        super().__init__(*args, **kwargs)
        _trip_stops(self, trip, "origin", "destination")
        self.fields["departs_at"].help_text = _("Local time where the group leaves.")
        self.fields["arrives_at"].help_text = _("Local time where the group arrives.")

    def zone_of(self, data):
        return None

    def zone_for(self, name, data):
        return _leg_zone(name, data)


class ProgrammeForm(VersionedFormMixin, LocalTimeFormMixin, I18nModelForm):
    """A programme item, B2B blocks included; times are typed in the local time of the place."""

    local_time_fields = ("starts_at", "ends_at")

    class Meta:
        model = ProgrammeItem
        fields = ["stop", "kind", "title", "description", "venue", "starts_at", "ends_at", "time_zone"]
        widgets = {"starts_at": MOMENT_INPUT, "ends_at": MOMENT_INPUT}

    def __init__(self, *args, trip, **kwargs):
        self.trip = trip
        super().__init__(*args, **kwargs)
        _trip_stops(self, trip, "stop")
        _zone_field(self, "time_zone", self.instance.time_zone or trip.time_zone, required=False)
        self.fields["time_zone"].help_text = _("The times above are local times of this zone.")
        for textarea in self.fields["description"].widget.widgets:
            textarea.attrs["rows"] = 3

    def zone_of(self, data):
        name = data.get("time_zone")
        if not name and data.get("stop") is not None:
            name = data["stop"].time_zone
        if not name and data.get("instance") is not None:
            name = data["instance"].time_zone
        return _zone(name or self.trip.time_zone)

    def clean(self):
        cleaned = super().clean()
        zone = self.zone_of(cleaned)
        cleaned["time_zone"] = str(zone)
        self.instance.time_zone = str(zone)
        return cleaned


class DuplicateForm(I18nForm):
    """Next year's trip: the same programme, moved to a new first day."""

    title = I18nFormField(
        label=_("title of the new trip"), widget=I18nTextInput, required=True, max_length=300
    )
    start_date = forms.DateField(label=_("first day of the new trip"), widget=DATE_INPUT)
