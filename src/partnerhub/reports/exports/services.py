"""Recording that a list was exported: who took which rows out of partnerhub, and how many."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core import audit
from partnerhub.core.history import sentence

sentence("export.downloaded", _("%(actor)s downloaded an export of %(rows)s rows (%(format)s)."))


def record_download(actor, export, fmt: str, rows: int) -> None:
    """One audit entry per download, filed under the trip for a trip's lists, else under the user."""
    audit.record(
        actor,
        "export.downloaded",
        export.target if export.target is not None else actor,
        list=export.name,
        format=fmt.upper(),
        rows=rows,
        filters=export.filters,
    )
