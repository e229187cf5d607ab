"""State changes of delegation trips (the foundation's part: trip and members)."""

from django.db import transaction

from partnerhub.accounts.permissions import require_save
from partnerhub.core import audit
from partnerhub.core.services import save_audited
from partnerhub.delegations.models import Delegation, DelegationMember


@transaction.atomic
def save_delegation(delegation: Delegation, *, actor) -> Delegation:
    require_save(actor, delegation)
    save_audited(delegation, actor=actor, kind="delegation", exclude=["destinations", "shared_with"])
    if delegation.capacity is not None:
        from partnerhub.delegations.registration.services import promote_waiting

        promote_waiting(delegation)  # more seats: the people waiting move up at once
    return delegation


@transaction.atomic
def add_member(delegation: Delegation, person, *, actor, is_leader: bool = False) -> DelegationMember:
    member, created = DelegationMember.objects.get_or_create(
        delegation=delegation, person=person, defaults={"is_leader": is_leader}
    )
    if created:
        audit.record(actor, "delegation.member_added", delegation, person=person.pk)
    return member
