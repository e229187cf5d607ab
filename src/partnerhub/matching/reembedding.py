"""Re-embedding every live item with a model, in the background, with progress for the page.

A platform-wide action: every agency's items are embedded again, so only the platform's operators start it.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import is_platform_operator
from partnerhub.matching.items import live_items
from partnerhub.matching.models import ReembedRun
from partnerhub.matching.suggestions import refresh_all
from partnerhub.matching.vectors import configured_embedder, embedder_named, model_choices, vectors_for


def may_reembed(actor) -> bool:
    return is_platform_operator(actor)


def offered_models() -> list[str]:
    """The models the page offers. ``fake`` is the tests' stand-in (a setting), never a choice for people."""
    return [name for name in model_choices() if name != "fake"]


@transaction.atomic
def start_reembed(model_name: str, *, actor) -> ReembedRun:
    """Re-embed every live item with ``model_name`` in the background; the page polls the run."""
    from partnerhub.matching.tasks import reembed

    if actor is not None and not may_reembed(actor):
        raise PermissionDenied(_("Only the platform's operators may re-embed every item."))
    if model_name not in model_choices():
        raise ValidationError({"model_name": _("Unknown model.")})
    if ReembedRun.objects.filter(status__in=[ReembedRun.Status.QUEUED, ReembedRun.Status.RUNNING]).exists():
        raise ValidationError(_("A re-embedding is already running."))
    run = ReembedRun.objects.create(
        model_name=model_name,
        total=len(live_items()),
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    transaction.on_commit(lambda: reembed.enqueue(run.pk))
    return run


def execute_reembed(run: ReembedRun, batch: int = 20) -> ReembedRun:
    """The task's work: embed in batches, counting progress; then, for the configured model, re-rank."""
    ReembedRun.objects.filter(pk=run.pk).update(status=ReembedRun.Status.RUNNING)
    try:
        embedder = embedder_named(run.model_name)
        items = live_items()
        ReembedRun.objects.filter(pk=run.pk).update(total=len(items))
        for start in range(0, len(items), batch):
            chunk = items[start : start + batch]
            vectors_for(chunk, embedder)
            ReembedRun.objects.filter(pk=run.pk).update(done=start + len(chunk))
        if embedder.name == configured_embedder().name:
            refresh_all(embedder=embedder)
    except Exception as exc:
        ReembedRun.objects.filter(pk=run.pk).update(
            status=ReembedRun.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        )
        raise
    ReembedRun.objects.filter(pk=run.pk).update(status=ReembedRun.Status.DONE, finished_at=timezone.now())
    run.refresh_from_db()
    return run
