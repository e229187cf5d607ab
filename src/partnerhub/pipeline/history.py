"""Sentences for the pipeline's audit actions (registered at start-up by PipelineConfig.ready)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from partnerhub.core.history import as_date, record, sentence, user_by_email

LINKED_KINDS = {
    "organisation": "organisations.Organisation",
    "partnership": "partnerships.Partnership",
    "delegation": "delegations.Delegation",
    "agreement": "partnerships.Agreement",
}


def stage_name(value, entry=None, reader=None) -> str:
    """The stage's name on the board of the item's agency, in the reader's language (never its key)."""
    from partnerhub.pipeline.models import Stage

    if not value:
        return _("no stage")
    item = entry.target if entry is not None else None
    stages = Stage.objects.filter(key=value)
    if item is not None and getattr(item, "agency", None) is not None:
        stages = stages.filter(agency=item.agency.root)
    stage = stages.first()
    return str(stage.name) if stage else _("a stage that no longer exists")


def linked_record(value, entry=None, reader=None) -> str:
    label = LINKED_KINDS.get((entry.data or {}).get("kind", "")) if entry is not None else None
    return record(label)(value, entry, reader) if label else _("a record")


agency = record("agencies.Agency", "slug")

sentence(
    "pipeline.stage_changed",
    lambda data: (
        _l("%(actor)s moved this to “%(new)s” (not pursued: %(reason)s).")
        if data.get("reason")
        else _l("%(actor)s moved this to “%(new)s”.")
    ),
    new=stage_name,
    old=stage_name,
)
sentence(
    "pipeline.owner_assigned",
    lambda data: (
        _l("%(actor)s made %(owner)s the project leader.")
        if data.get("owner")
        else _l("%(actor)s removed the project leader.")
    ),
    owner=user_by_email,
)
sentence(
    "pipeline.due_date_set",
    lambda data: (
        _l("%(actor)s set the due date to %(due_date)s.")
        if data.get("due_date")
        else _l("%(actor)s removed the due date.")
    ),
    due_date=as_date,
)
sentence(
    "pipeline.commented",
    lambda data: (
        _l("%(actor)s wrote a comment shared with the partner agencies.")
        if data.get("shared")
        else _l("%(actor)s wrote an internal comment.")
    ),
)
sentence("pipeline.shared", _l("%(actor)s shared this with %(agency)s."), agency=agency)
sentence("pipeline.unshared", _l("%(actor)s stopped sharing this with %(agency)s."), agency=agency)
sentence("pipeline.linked", _l("%(actor)s linked %(linked)s."), linked=linked_record)
sentence(
    "pipeline.counterpart_proposed",
    _l("%(actor)s proposed %(organisation)s as counterpart."),
    organisation=record("organisations.Organisation"),
)
