"""State changes of pipeline items (ideas, profiles): stage, owner, due date, comments, sharing, links.

Each checks that the actor may do it, writes, and records an audit entry, in one transaction.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from partnerhub.accounts.visibility import viewer_for
from partnerhub.core import audit
from partnerhub.pipeline import signals
from partnerhub.pipeline.models import Comment, CounterpartProposal, PipelineItem, Stage


def _require_editor(item: PipelineItem, actor) -> None:
    if actor is None:
        return  # the system (demo loader, tasks)
    if not type(item).objects.editable_by(actor).filter(pk=item.pk).exists():
        raise PermissionDenied(_("Only staff of the agency that runs this item may change it."))


def _require_viewer(item: PipelineItem, actor) -> None:
    """Agency staff in whose pipeline the item is: its own agency family, or a partner agency it is shared
    with. Seeing an item is not enough: a published profile is visible to every agency, but only those it
    is shared with take part in its thread."""
    if actor is None:
        return
    viewer = viewer_for(actor)
    if viewer.is_superuser:
        return
    if not viewer.is_agency_staff:
        raise PermissionDenied(_("Only agency staff take part in the pipeline."))
    model = type(item)
    if not model.objects.visible_to(actor).filter(model.staff_q(viewer), pk=item.pk).exists():
        raise PermissionDenied(_("This item is not shared with your agency."))


@transaction.atomic
def move_to_stage(item: PipelineItem, stage: Stage, *, actor, reason: str = "") -> PipelineItem:
    """Move an item to another stage of its agency's board; 'not pursued' needs a reason."""
    _require_editor(item, actor)
    if stage.agency_id != item.agency.root.pk:
        raise ValidationError(_("This stage belongs to another agency's board."))
    if stage.outcome == Stage.Outcome.LOST and not reason.strip():
        raise ValidationError({"reason": _("Please give a reason why this is not pursued.")})
    old = item.stage
    if old is not None and old.pk == stage.pk:
        return item
    item.stage = stage
    item.not_pursued_reason = reason.strip() if stage.outcome == Stage.Outcome.LOST else ""
    item.save(update_fields=["stage", "not_pursued_reason", "updated_at"])
    audit.record(
        actor,
        "pipeline.stage_changed",
        item,
        old=old.key if old else None,
        new=stage.key,
        reason=item.not_pursued_reason,
    )
    signals.stage_changed.send(type(item), item=item, old=old, new=stage, actor=actor)
    _matching_changed(item)
    return item


def _matching_changed(item: PipelineItem) -> None:
    """A stage move or a change of sharing: matching follows (a closed item's new suggestions go, a
    re-opened one is matched again, a partner agency's items may now be offered a shared one).

    Matching listens to the pipeline only here; the refresh runs as a task after the commit.
    """
    from partnerhub.matching.services import schedule_refresh

    schedule_refresh(item)


@transaction.atomic
def assign_owner(item: PipelineItem, owner, *, actor) -> PipelineItem:
    _require_editor(item, actor)
    if owner is not None and (owner.agency_id is None or owner.agency_id not in item.agency.family_ids()):
        raise ValidationError({"owner": _("The project leader must be staff of the agency.")})
    item.owner = owner
    item.save(update_fields=["owner", "updated_at"])
    audit.record(actor, "pipeline.owner_assigned", item, owner=owner.email if owner else None)
    return item


@transaction.atomic
def set_due_date(item: PipelineItem, due_date: datetime.date | None, *, actor) -> PipelineItem:
    _require_editor(item, actor)
    item.due_date = due_date
    item.save(update_fields=["due_date", "updated_at"])
    audit.record(actor, "pipeline.due_date_set", item, due_date=due_date.isoformat() if due_date else None)
    return item


@transaction.atomic
def add_comment(item: PipelineItem, body: str, *, actor, shared: bool = False) -> Comment:
    """Agency staff comment internally or shared; partner staff see and write the shared thread only."""
    _require_viewer(item, actor)
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("The comment is empty.")})
    viewer = viewer_for(actor)
    own_agency = viewer.is_superuser or (viewer.agency_id in item.agency.family_ids())
    if not own_agency:
        shared = True  # a partner agency writes in the shared thread
    comment = Comment.objects.create(
        target_type=ContentType.objects.get_for_model(item),
        target_id=item.pk,
        author=actor,
        author_agency_id=viewer.agency_id,
        body=body,
        shared=shared,
    )
    audit.record(actor, "pipeline.commented", item, comment=comment.pk, shared=shared)
    signals.comment_added.send(type(item), item=item, comment=comment, actor=actor)
    return comment


def comments_for(item: PipelineItem, user):
    """The comments this user may read: partner agencies read the shared thread only."""
    comments = Comment.objects.filter(
        target_type=ContentType.objects.get_for_model(item), target_id=item.pk
    ).select_related("author", "author_agency")
    viewer = viewer_for(user)
    if viewer.is_superuser or viewer.agency_id in item.agency.family_ids():
        return comments
    return comments.filter(shared=True)


@transaction.atomic
def share_item(item: PipelineItem, agency, *, actor) -> None:
    _require_editor(item, actor)
    if agency.pk in item.agency.family_ids():
        return
    item.shared_with.add(agency)
    audit.record(actor, "pipeline.shared", item, agency=agency.slug)
    _matching_changed(item)


@transaction.atomic
def unshare_item(item: PipelineItem, agency, *, actor) -> None:
    _require_editor(item, actor)
    item.shared_with.remove(agency)
    audit.record(actor, "pipeline.unshared", item, agency=agency.slug)
    _matching_changed(item)


LINK_FIELDS = {
    "organisation": "linked_organisations",
    "partnership": "linked_partnerships",
    "delegation": "linked_delegations",
    "agreement": "linked_agreements",
}


@transaction.atomic
def link(item: PipelineItem, target, *, actor) -> None:
    """Link an organisation, partnership, delegation trip or agreement to the item."""
    _require_editor(item, actor)
    field = LINK_FIELDS.get(target._meta.model_name)
    if field is None:
        raise ValidationError(_("This kind of record cannot be linked."))
    getattr(item, field).add(target)
    audit.record(actor, "pipeline.linked", item, kind=target._meta.model_name, linked=target.pk)


@transaction.atomic
def propose_counterpart(item: PipelineItem, organisation, *, actor, note: str = "") -> CounterpartProposal:
    """A partner agency proposes one of the organisations it can see as counterpart."""
    _require_viewer(item, actor)
    from partnerhub.organisations.models import Organisation

    if actor is not None and not Organisation.objects.visible_to(actor).filter(pk=organisation.pk).exists():
        raise PermissionDenied(_("You cannot propose an organisation you cannot see."))
    proposal = CounterpartProposal.objects.create(
        target_type=ContentType.objects.get_for_model(item),
        target_id=item.pk,
        organisation=organisation,
        note=note.strip(),
        proposed_by=actor,
    )
    audit.record(actor, "pipeline.counterpart_proposed", item, organisation=organisation.pk)
    signals.counterpart_proposed.send(type(item), item=item, proposal=proposal, actor=actor)
    return proposal


def proposals_for(item: PipelineItem):
    return CounterpartProposal.objects.filter(
        target_type=ContentType.objects.get_for_model(item), target_id=item.pk
    ).select_related("organisation", "proposed_by")


@transaction.atomic
def bulk_move(items, stage: Stage, *, actor, reason: str = "") -> int:
    moved = 0
    for item in items:
        move_to_stage(item, stage, actor=actor, reason=reason)
        moved += 1
    return moved
