"""``/healthz``: may a load balancer send this process requests? Two cheap reads, no session, no write.

200 with ``{"database": "ok", "tasks": "ok"}`` when the database answers and no task has waited longer than
HEALTHZ_QUEUE_MAX_AGE seconds (a worker is taking them); 503 naming the failing part otherwise. With the
immediate backend tasks run inside the request that enqueues them, so there is no queue to watch.
"""

import datetime
import logging

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Q
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django_tasks import task_backends
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import TaskResultStatus
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

logger = logging.getLogger(__name__)


def database_state() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("healthz: the database does not answer")
        return "unavailable"
    return "ok"


def tasks_state() -> str:
    """``ok`` when no ready task is older than the bound, else ``stale``; the backend's kind otherwise."""
    backend = task_backends["default"]
    if isinstance(backend, ImmediateBackend):
        return "immediate"
    if not isinstance(backend, DatabaseBackend):
        return type(backend).__name__
    cutoff = timezone.now() - datetime.timedelta(seconds=settings.HEALTHZ_QUEUE_MAX_AGE)
    # A task waits from when it may first run: its run_after (a retry's back-off) or, without one, its
    # enqueueing. A task scheduled for later is not late yet.
    waiting_too_long = DBTaskResult.objects.filter(status=TaskResultStatus.READY).filter(
        Q(run_after=get_date_max(), enqueued_at__lt=cutoff) | Q(run_after__lt=cutoff)
    )
    try:
        return "stale" if waiting_too_long.exists() else "ok"
    except DatabaseError:
        logger.exception("healthz: the task queue cannot be read")
        return "unavailable"


@never_cache
@require_safe
def healthz(request):
    parts = {"database": database_state()}
    parts["tasks"] = tasks_state() if parts["database"] == "ok" else "unknown"
    healthy = parts["database"] == "ok" and parts["tasks"] not in ("stale", "unavailable", "unknown")
    return JsonResponse(parts, status=200 if healthy else 503)
