"""Downloads of the lists as CSV or XLSX, with the filters of the list page (its query string)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_GET

from partnerhub.reports.exports import services, writers
from partnerhub.reports.exports.datasets import DATASETS


@login_required
@require_GET
def download(request, dataset: str, fmt: str, slug: str | None = None):
    """Build the export (the list's own filter, through ``visible_to``), record it, and stream it."""
    if dataset not in DATASETS or fmt not in writers.CONTENT_TYPES:
        raise Http404
    export = DATASETS[dataset](request, slug) if slug is not None else DATASETS[dataset](request)
    export.filters = request.GET.urlencode()[:500]
    services.record_download(request.user, export, fmt, export.queryset.count())
    stem = f"{export.name}-{slug}" if slug else export.name
    filename = f"{stem}-{timezone.localdate().isoformat()}.{fmt}"
    if fmt == "csv":
        return writers.csv_response(filename, export.headers, export.rows())
    return writers.xlsx_response(filename, str(export.title), export.headers, export.rows())
