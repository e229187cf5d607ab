"""Cron, every minute (safe any time, and several at once): deliver every due e-mail of the outbox."""

import datetime

from django.conf import settings
from django.core.mail import get_connection
from django.core.management.base import BaseCommand
from django.utils import timezone

from partnerhub.notifications import outbox


class Command(BaseCommand):
    help = (
        "Deliver the due e-mails of the outbox, take back those whose worker died while sending, "
        "and delete sent e-mails older than EMAIL_KEEP_SENT_DAYS."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sending-timeout",
            type=int,
            default=None,
            help="seconds after which an e-mail still 'being sent' counts as a failed attempt "
            "(default: EMAIL_SENDING_TIMEOUT)",
        )

    def handle(self, *args, sending_timeout=None, **options):
        timeout = datetime.timedelta(
            seconds=settings.EMAIL_SENDING_TIMEOUT if sending_timeout is None else sending_timeout
        )
        taken = outbox.take_back_stuck(timeout)
        abandoned = self._fail_abandoned_tasks(timeout)
        sent = failed = 0
        # One connection for the whole run; the claim in outbox.deliver keeps concurrent runs apart.
        with get_connection() as connection:
            for pk in outbox.due():
                if outbox.deliver(pk, connection=connection):
                    sent += 1
                else:
                    failed += 1
        purged = outbox.purge_sent()
        self.stdout.write(
            f"{sent} sent, {failed} not sent, {taken} taken back from a stopped worker, "
            f"{abandoned} abandoned delivery tasks closed, {purged} sent e-mails past their keeping time deleted"
        )

    def _fail_abandoned_tasks(self, timeout: datetime.timedelta) -> int:
        """Delivery tasks a killed worker left RUNNING: closed as failed (the outbox row is retried above)."""
        from django.apps import apps

        if not apps.is_installed("django_tasks_db"):
            return 0
        from django_tasks import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        from partnerhub.notifications.tasks import deliver_email

        return DBTaskResult.objects.filter(
            status=TaskResultStatus.RUNNING,
            task_path=deliver_email.module_path,
            started_at__lte=timezone.now() - timeout,
        ).update(status=TaskResultStatus.FAILED, finished_at=timezone.now())
