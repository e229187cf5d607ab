"""The dashboard's figures, each aggregated in the database from what the viewer may see.

Every figure starts from ``Model.objects.visible_to(user)`` (or from registrations the viewer may see, for
meeting requests and meetings, which have no visibility rule of their own), so partner-agency staff get the
same dashboard built only from what is shared with them. Each function runs a fixed number of queries,
however many records there are (tests/test_dashboard.py counts them).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Q
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from partnerhub.agencies.models import Agency
from partnerhub.core.models import AuditEntry
from partnerhub.delegations.models import Delegation, Meeting, MeetingRequest, Registration
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching.models import Introduction, Suggestion
from partnerhub.organisations.models import NaceActivity
from partnerhub.pipeline.models import Stage
from partnerhub.profiles.models import CooperationProfile
from partnerhub.regions.models import Region

MONTHS = 12
TRIPS_SHOWN = 12
OVERDUE_SHOWN = 50


@dataclass
class Figure:
    """One chart and its table: row labels, one series per column, and the texts around them."""

    key: str
    title: str
    labels: list[str]
    series: list[tuple[str, list[int]]]
    row_title: str
    value_title: str
    kind: str = "bar"  # bar | line
    stacked: bool = False
    horizontal: bool = False
    links: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, str, list[int]]]:
        """Table rows: label, link (may be empty), one number per series."""
        links = self.links or [""] * len(self.labels)
        return [
            (label, links[i], [values[i] for _name, values in self.series])
            for i, label in enumerate(self.labels)
        ]

    @property
    def data_id(self) -> str:
        return f"{self.key}-data"

    @property
    def is_empty(self) -> bool:
        return not self.labels or not any(any(values) for _name, values in self.series)

    def chart(self) -> dict:
        """What dashboard.js draws (through json_script): no markup, only texts and numbers."""
        return {
            "type": self.kind,
            "title": self.title,
            "labels": self.labels,
            "datasets": [{"label": name, "data": values} for name, values in self.series],
            "stacked": self.stacked,
            "horizontal": self.horizontal,
            "x_title": self.value_title if self.horizontal else self.row_title,
            "y_title": self.row_title if self.horizontal else self.value_title,
        }


def month_starts(today: datetime.date, count: int = MONTHS) -> list[datetime.date]:
    """The first days of the last ``count`` months, oldest first, the current month last."""
    year, month = today.year, today.month
    starts = []
    for _i in range(count):
        starts.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def _since(first_month: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(first_month, datetime.time.min))


def _month_key(value) -> datetime.date:
    return value.date() if isinstance(value, datetime.datetime) else value


def _by_month(rows, months, key="month") -> list[int]:
    counts = {_month_key(row[key]): row["n"] for row in rows if row[key] is not None}
    return [counts.get(month, 0) for month in months]


def _month_labels(months) -> list[str]:
    return [date_format(month, "YEAR_MONTH_FORMAT") for month in months]


def ideas_over_time(user, today: datetime.date) -> Figure:
    """New ideas per month, and how many moved into each stage per month (from the audit trail)."""
    months = month_starts(today)
    since = _since(months[0])
    ideas = ProjectIdea.objects.visible_to(user)
    new = (
        ideas.filter(email_confirmed_at__gte=since)
        .annotate(month=TruncMonth("email_confirmed_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    moves = (
        AuditEntry.objects.filter(
            action="pipeline.stage_changed",
            target_type=ContentType.objects.get_for_model(ProjectIdea),
            at__gte=since,
            target_id__in=ideas.annotate(text_pk=Cast("pk", CharField())).values("text_pk"),
        )
        .annotate(month=TruncMonth("at"), stage_key=KeyTextTransform("new", "data"))
        .values("month", "stage_key")
        .annotate(n=Count("pk"))
    )
    per_stage: dict[str, list] = defaultdict(list)
    for row in moves:
        per_stage[row["stage_key"]].append(row)
    series = [(_("New ideas"), _by_month(new, months))]
    for label, keys in _stage_labels(ideas, per_stage.keys()):
        rows = [row for key in keys for row in per_stage[key]]
        series.append((_("Moved to “%(stage)s”") % {"stage": label}, _summed_by_month(rows, months)))
    return Figure(
        key="ideas-over-time",
        title=_("Project ideas per month: new, and moved to each stage"),
        labels=_month_labels(months),
        series=series,
        row_title=_("Month"),
        value_title=_("Project ideas"),
        stacked=True,
    )


def _summed_by_month(rows, months) -> list[int]:
    counts: dict[datetime.date, int] = defaultdict(int)
    for row in rows:
        if row["month"] is not None:
            counts[_month_key(row["month"])] += row["n"]
    return [counts.get(month, 0) for month in months]


def _stage_labels(ideas, keys) -> list[tuple[str, list[str]]]:
    """Stage names for stage keys, in board order, from the boards of the agencies running the ideas.

    Stages are named per agency; the same key on two boards (home and partner agency) shares one label.
    A key no board knows any more (a deleted stage) is counted under "other stages", never shown raw.
    """
    keys = [key for key in keys if key]
    if not keys:
        return []
    runners = ideas.order_by().values("agency_id")
    parents = Agency.objects.filter(pk__in=runners).values("parent_id")  # boards belong to the top agency
    stages = Stage.objects.filter(key__in=keys).filter(Q(agency_id__in=runners) | Q(agency_id__in=parents))
    labels: dict[str, str] = {}
    for stage in stages.distinct().order_by("position", "pk"):
        labels.setdefault(stage.key, str(stage.name))
    result = [(label, [key]) for key, label in labels.items()]
    unknown = [key for key in keys if key not in labels]
    if unknown:
        result.append((_("other stages"), unknown))
    return result


def ideas_by_stage(user) -> Figure:
    """Where the ideas stand now."""
    ideas = ProjectIdea.objects.visible_to(user)
    counts = {
        row["stage_id"]: row["n"] for row in ideas.order_by().values("stage_id").annotate(n=Count("pk"))
    }
    stages = Stage.objects.filter(pk__in=[pk for pk in counts if pk]).order_by("position", "pk")
    labels, values = [], []
    merged: dict[str, int] = {}
    for stage in stages:
        name = str(stage.name)
        merged[name] = merged.get(name, 0) + counts[stage.pk]
    for name, n in merged.items():
        labels.append(name)
        values.append(n)
    if counts.get(None):
        labels.append(_("no stage yet"))
        values.append(counts[None])
    return Figure(
        key="ideas-by-stage",
        title=_("Project ideas by current stage"),
        labels=labels,
        series=[(_("Project ideas"), values)],
        row_title=_("Stage"),
        value_title=_("Project ideas"),
        horizontal=True,
    )


def profiles_by_sector(user) -> Figure:
    """Cooperation profiles per NACE section (a profile with sectors in two sections counts in both)."""
    profiles = CooperationProfile.objects.visible_to(user)
    through = CooperationProfile.sectors.through
    rows = (
        through.objects.filter(cooperationprofile_id__in=profiles.order_by().values("pk"))
        .values("naceactivity__section")
        .annotate(n=Count("cooperationprofile_id", distinct=True))
        .order_by("naceactivity__section")
    )
    counts = {row["naceactivity__section"]: row["n"] for row in rows}
    names = {
        section.code: section.name
        for section in NaceActivity.objects.filter(level=NaceActivity.Level.SECTION, code__in=counts)
    }
    labels = [f"{code} {names.get(code, '')}".strip() for code in counts]
    values = list(counts.values())
    without = profiles.filter(sectors__isnull=True).count()
    if without:
        labels.append(_("no sector given"))
        values.append(without)
    return Figure(
        key="profiles-by-sector",
        title=_("Cooperation profiles by sector (NACE section)"),
        labels=labels,
        series=[(_("Cooperation profiles"), values)],
        row_title=_("Sector"),
        value_title=_("Cooperation profiles"),
        horizontal=True,
    )


def profiles_by_region(user) -> Figure:
    """Cooperation profiles by the region of their organisation, most first."""
    profiles = CooperationProfile.objects.visible_to(user)
    rows = (
        profiles.order_by()
        .values("organisation__region_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "organisation__region_id")
    )
    counts = {row["organisation__region_id"]: row["n"] for row in rows}
    regions = Region.objects.visible_to(user).in_bulk(list(counts))
    shown = [(regions[pk], n) for pk, n in counts.items() if pk in regions]
    return Figure(
        key="profiles-by-region",
        title=_("Cooperation profiles by region"),
        labels=[str(region) for region, _n in shown],
        series=[(_("Cooperation profiles"), [n for _region, n in shown])],
        row_title=_("Region"),
        value_title=_("Cooperation profiles"),
        horizontal=True,
        links=[region.get_absolute_url() for region, _n in shown],
    )


def matching_over_time(user, today: datetime.date) -> Figure:
    """Suggestions accepted, introductions asked for and introductions accepted, per month."""
    months = month_starts(today)
    since = _since(months[0])
    accepted = (
        Suggestion.objects.visible_to(user)
        .filter(status=Suggestion.Status.ACCEPTED, reviewed_at__gte=since)
        .annotate(month=TruncMonth("reviewed_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    introductions = Introduction.objects.visible_to(user)
    asked = (
        introductions.filter(interest_at__gte=since)
        .annotate(month=TruncMonth("interest_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    made = (
        introductions.filter(state=Introduction.State.ACCEPTED, answered_at__gte=since)
        .annotate(month=TruncMonth("answered_at"))
        .values("month")
        .annotate(n=Count("pk"))
    )
    return Figure(
        key="matching-over-time",
        title=_("Matching per month"),
        labels=_month_labels(months),
        series=[
            (_("Suggestions accepted"), _by_month(accepted, months)),
            (_("Introductions requested"), _by_month(asked, months)),
            (_("Introductions made"), _by_month(made, months)),
        ],
        row_title=_("Month"),
        value_title=_("Number"),
        kind="line",
    )


@dataclass
class TripFigures:
    """Registrations and meetings per trip, as two figures sharing the trips' names and links."""

    registrations: Figure
    meetings: Figure
    trips: list


def trips(user, today: datetime.date) -> TripFigures:
    """The viewer's trips of the past year and ahead: registrations by status, seats, meetings."""
    shown = list(
        Delegation.objects.visible_to(user)
        .filter(end_date__gte=today - datetime.timedelta(days=365))
        .exclude(status=Delegation.Status.CANCELLED)
        .order_by("start_date", "pk")[:TRIPS_SHOWN]
    )
    ids = [trip.pk for trip in shown]
    registrations = Registration.objects.visible_to(user).filter(delegation_id__in=ids)
    status_counts: dict[int, dict[str, int]] = defaultdict(dict)
    for row in registrations.order_by().values("delegation_id", "status").annotate(n=Count("pk")):
        status_counts[row["delegation_id"]][row["status"]] = row["n"]
    seen = registrations.order_by().values("pk")
    requests: dict[int, dict[str, int]] = defaultdict(dict)
    for row in (
        MeetingRequest.objects.filter(delegation_id__in=ids, requester__in=seen)
        .values("delegation_id", "status")
        .annotate(n=Count("pk"))
    ):
        requests[row["delegation_id"]][row["status"]] = row["n"]
    scheduled = {
        row["delegation_id"]: row["n"]
        for row in Meeting.objects.filter(delegation_id__in=ids, first__in=seen)
        .values("delegation_id")
        .annotate(n=Count("pk"))
    }
    S = Registration.Status
    labels = [str(trip) for trip in shown]
    links = [trip.get_absolute_url() for trip in shown]

    def column(counts, status):
        return [counts[pk].get(status, 0) for pk in ids]

    for trip in shown:
        counts = status_counts[trip.pk]
        trip.seats_taken = counts.get(S.PENDING, 0) + counts.get(S.CONFIRMED, 0)
    registration_figure = Figure(
        key="trip-registrations",
        title=_("Registrations per trip"),
        labels=labels,
        links=links,
        series=[
            (S.CONFIRMED.label, column(status_counts, S.CONFIRMED)),
            (S.PENDING.label, column(status_counts, S.PENDING)),
            (S.WAITING.label, column(status_counts, S.WAITING)),
            (S.DECLINED.label, column(status_counts, S.DECLINED)),
        ],
        row_title=_("Delegation trip"),
        value_title=_("Registrations"),
        stacked=True,
        horizontal=True,
    )
    R = MeetingRequest.Status
    meeting_figure = Figure(
        key="trip-meetings",
        title=_("B2B meetings per trip"),
        labels=labels,
        links=links,
        series=[
            (_("requested"), [sum(n for s, n in requests[pk].items() if s != R.WITHDRAWN) for pk in ids]),
            (_("accepted"), column(requests, R.ACCEPTED)),
            (_("scheduled"), [scheduled.get(pk, 0) for pk in ids]),
        ],
        row_title=_("Delegation trip"),
        value_title=_("Meetings"),
        horizontal=True,
    )
    return TripFigures(registrations=registration_figure, meetings=meeting_figure, trips=shown)


def overdue_items(user, today: datetime.date) -> list:
    """Open pipeline items the user leads whose due date has passed, the longest overdue first."""
    closed = [Stage.Outcome.WON, Stage.Outcome.LOST]
    items = []
    for model in (ProjectIdea, CooperationProfile):
        items += list(
            model.objects.visible_to(user)
            .filter(owner_id=user.pk, due_date__lt=today)
            .exclude(stage__outcome__in=closed)
            .order_by("due_date", "pk")[:OVERDUE_SHOWN]
        )
    items.sort(key=lambda item: (item.due_date, item._meta.model_name, item.pk))
    for item in items:
        item.days_overdue = (today - item.due_date).days
        item.kind_label = item._meta.verbose_name
    return items[:OVERDUE_SHOWN]
