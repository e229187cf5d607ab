from django.db.models import Q
from django.shortcuts import get_object_or_404, render

from partnerhub.accounts.permissions import can_add, can_edit
from partnerhub.delegations.models import Delegation


def trip_list(request):
    trips = (
        Delegation.objects.visible_to(request.user)
        .select_related("partnership")
        .prefetch_related("destinations")
    )
    return render(
        request, "delegations/list.html", {"trips": trips, "can_create": can_add(request.user, Delegation)}
    )


def trip_detail(request, slug):
    trip = get_object_or_404(Delegation.objects.visible_to(request.user), slug=slug)
    editable = can_edit(request.user, trip)
    return render(
        request,
        "delegations/detail.html",
        {
            "trip": trip,
            "editable": editable,
            "stops": trip.stops.select_related("region"),
            "legs": trip.legs.select_related("origin__region", "destination__region"),
            "programme": trip.programme.select_related("stop__region"),
            "my_registrations": (
                trip.registrations.filter(
                    Q(registered_by=request.user) | Q(participant=request.user)
                ).exclude(status__in=["cancelled", "declined"])
                if request.user.is_authenticated
                else []
            ),
        },
    )
