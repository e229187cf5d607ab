"""The registration list's filter, shared by the list page and its exports so both show the same rows."""

from partnerhub.delegations.models import Delegation, Registration


def registration_list(user, trip: Delegation, params) -> tuple[object, str, object]:
    """The trip's registrations ``user`` may see, the status filter read from ``params`` ("" for all; an
    unknown value counts as none), and the registrations the list shows for it, oldest first."""
    visible = Registration.objects.visible_to(user).filter(delegation=trip)
    status = params.get("status", "")
    if status not in Registration.Status.values:
        status = ""
    shown = visible.filter(status=status) if status else visible
    return visible, status, shown.select_related("organisation").order_by("created_at", "pk")
