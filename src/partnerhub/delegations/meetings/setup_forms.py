"""Forms of the meeting-days page: a new day with its sessions, one session, the meeting length, tables.

Times are typed as the wall-clock time of the stop (the trip's zone without a stop), as on the trip's
programme (``trips/forms.py``); ``setup.zone_for`` says which zone that is.
"""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from i18nfield.forms import I18nFormField, I18nModelForm, I18nTextInput

from partnerhub.core.editing import VersionedFormMixin
from partnerhub.delegations.meetings.setup import zone_for
from partnerhub.delegations.models import Delegation, ProgrammeItem, Stop, Table

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
SESSION_ROWS = 3


def _stop_field(form, trip: Delegation) -> None:
    field = form.fields["stop"]
    field.queryset = trip.stops.select_related("region")
    field.required = trip.stops.exists()
    field.help_text = (
        _("The times are the local times of this stop.")
        if field.required
        else _("The trip has no itinerary yet: the times are in the trip's time zone (%(zone)s).")
        % {"zone": trip.time_zone}
    )


class MeetingDayForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    stop = forms.ModelChoiceField(label=_("Stop"), queryset=Stop.objects.none(), required=False)
    venue = I18nFormField(label=_("Venue"), widget=I18nTextInput, required=False, max_length=300)

    def __init__(self, *args, trip: Delegation, **kwargs):
        super().__init__(*args, **kwargs)
        self.trip = trip
        _stop_field(self, trip)
        for number in range(1, SESSION_ROWS + 1):
            required = number == 1
            self.fields[f"start_{number}"] = forms.TimeField(
                label=_("Session %(number)s starts") % {"number": number},
                widget=TIME_INPUT,
                required=required,
            )
            self.fields[f"end_{number}"] = forms.TimeField(
                label=_("Session %(number)s ends") % {"number": number}, widget=TIME_INPUT, required=required
            )

    def session_rows(self):
        return [(self[f"start_{n}"], self[f"end_{n}"]) for n in range(1, SESSION_ROWS + 1)]

    def clean(self):
        cleaned = super().clean()
        times = []
        for number in range(1, SESSION_ROWS + 1):
            start, end = cleaned.get(f"start_{number}"), cleaned.get(f"end_{number}")
            if start is None and end is None:
                continue
            if start is None or end is None:
                self.add_error(f"end_{number}", _("Give both the start and the end of the session."))
                continue
            times.append((start, end))
        cleaned["times"] = times
        return cleaned


class SessionForm(VersionedFormMixin, I18nModelForm):
    """One session: its stop, day, local start and end, and venue."""

    day = forms.DateField(label=_("Day"), widget=DATE_INPUT)
    start = forms.TimeField(label=_("Starts"), widget=TIME_INPUT)
    end = forms.TimeField(label=_("Ends"), widget=TIME_INPUT)

    class Meta:
        model = ProgrammeItem
        fields = ["stop", "venue"]

    field_order = ["stop", "day", "start", "end", "venue"]

    def __init__(self, *args, trip: Delegation, **kwargs):
        super().__init__(*args, **kwargs)
        self.trip = trip
        _stop_field(self, trip)
        if not self.is_bound and self.instance.pk:
            zone = self.instance.zone
            starts, ends = self.instance.starts_at.astimezone(zone), self.instance.ends_at.astimezone(zone)
            self.initial.update(day=starts.date(), start=starts.time(), end=ends.time())

    def clean(self):
        cleaned = super().clean()
        day, start, end = cleaned.get("day"), cleaned.get("start"), cleaned.get("end")
        if day and start and end:
            zone = zone_for(self.trip, cleaned.get("stop"))
            self.instance.starts_at = datetime.datetime.combine(day, start, tzinfo=zone)
            self.instance.ends_at = datetime.datetime.combine(day, end, tzinfo=zone)
            self.instance.time_zone = str(zone)
        return cleaned


class LengthForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Delegation
        fields = ["meeting_minutes"]
        widgets = {"meeting_minutes": forms.NumberInput(attrs={"min": 5, "max": 240, "step": 5})}


class TableAddForm(forms.Form):
    name = forms.CharField(label=_("New table / room"), max_length=100)


class TableForm(VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Table
        fields = ["name"]

    def validate_unique(self):
        """The service checks the name against the trip's other tables, in the user's language."""
