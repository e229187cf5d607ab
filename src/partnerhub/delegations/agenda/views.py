"""A participant's personal agenda page and calendar feed, reached through the tokens of their registration.

No sign-in: the tokens are the key (the access token opens the page; the calendar token only the feed, so
a calendar program never holds the link that opens the registration). Cancelled and declined registrations
lose both, which also ends a calendar subscription.
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from partnerhub.delegations.agenda import services as agenda
from partnerhub.delegations.models import ProgrammeItem, Registration


def _current_registrations():
    return Registration.objects.exclude(
        status__in=[Registration.Status.CANCELLED, Registration.Status.DECLINED]
    ).select_related("delegation")


def _private(response):
    # Personal data behind a secret link: no shared caches, no search engines.
    patch_cache_control(response, private=True, no_cache=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe
def agenda_page(request, token):
    registration = get_object_or_404(_current_registrations(), access_token=token)
    trip = registration.delegation
    entries = agenda.agenda_for(registration, translation.get_language())
    feed = reverse("delegations:agenda_calendar", args=[registration.calendar_token])
    feed_url = request.build_absolute_uri(feed)
    response = render(
        request,
        "delegations/agenda/agenda.html",
        {
            "registration": registration,
            "trip": trip,
            "days": agenda.by_day(entries),
            "viewer_zone": registration.time_zone,
            "schedule_published": trip.schedule_published_at is not None,
            "has_b2b": trip.programme.filter(kind=ProgrammeItem.Kind.B2B_BLOCK).exists(),
            "webcal_url": "webcal://" + feed_url.split("://", 1)[1],
            "download_url": f"{feed}?download=1",
        },
    )
    return _private(response)


@require_safe
def agenda_calendar(request, token):
    registration = get_object_or_404(_current_registrations(), calendar_token=token)
    response = HttpResponse(agenda.ics_for(registration), content_type="text/calendar; charset=utf-8")
    if request.GET.get("download"):
        response["Content-Disposition"] = content_disposition_header(
            as_attachment=True, filename=f"{registration.delegation.slug}.ics"
        )
    return _private(response)
