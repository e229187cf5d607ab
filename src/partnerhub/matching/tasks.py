"""Matching work in the background: refreshing suggestions after a change, and re-embedding everything."""

from django_tasks import task

from partnerhub.matching import services
from partnerhub.matching.models import ReembedRun


@task()
def refresh_item(model_label: str, pk: int) -> int:
    """An item was published, edited, confirmed, shared or moved stage (``model_label`` like
    ``profiles.cooperationprofile``): its own suggestions, and its place among everybody else's (bounded by
    the vector store's shortlist, see ``suggestions``). Returns how many suggestions it now has."""
    item = services.item_by_key(model_label, pk)
    if item is None:
        return 0
    services.refresh_around(item)
    return services.suggestions_of(item).count()


@task()
def refresh_all_suggestions() -> int:
    """Every live item's suggestions (e.g. nightly, or after the weights changed)."""
    return services.refresh_all()


@task()
def reembed(run_id: int) -> str:
    """Re-embed every live item for one ``ReembedRun``; its progress is written to the run."""
    run = ReembedRun.objects.get(pk=run_id)
    return services.execute_reembed(run).status
