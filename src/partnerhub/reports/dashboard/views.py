"""The agency's dashboard: the programme's figures as charts and tables, built from what the viewer sees."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partnerhub.accounts.permissions import user_passes
from partnerhub.accounts.visibility import viewer_for
from partnerhub.reports.dashboard import figures

ONLY_STAFF = _("The dashboard is for agency staff.")


def may_view_dashboard(user) -> bool:
    """Agency staff (their own agency's figures and what partners share) and operators."""
    viewer = viewer_for(user)
    return viewer.is_agency_staff or viewer.is_superuser


@login_required
@user_passes(may_view_dashboard, ONLY_STAFF)
def index(request):
    today = timezone.localdate()
    user = request.user
    trips = figures.trips(user, today)
    charts = [
        figures.ideas_over_time(user, today),
        figures.ideas_by_stage(user),
        figures.profiles_by_sector(user),
        figures.profiles_by_region(user),
        figures.matching_over_time(user, today),
        trips.registrations,
        trips.meetings,
    ]
    context = {
        "charts": charts,
        "trips": trips.trips,
        "overdue": figures.overdue_items(user, today),
        "today": today,
    }
    return render(request, "dashboard/index.html", context)
