"""E-mail is delivered by a background task, never inside a request; the task only triggers, the outbox row
(notifications.OutgoingEmail) is the truth, so a duplicate or late task does nothing (decisions/0022)."""

from django.conf import settings
from django_tasks import task

from partnerhub.notifications import outbox


@task()
def deliver_email(pk: int) -> bool:
    return outbox.deliver(pk)


@task()
def send_email(to: list[str], subject: str, body: str, reply_to: list[str] | None = None) -> int:
    """Tasks queued before the outbox existed: they become outbox rows (delivered once this task commits)."""
    outbox.queue(to, subject, body, from_email=settings.DEFAULT_FROM_EMAIL, reply_to=reply_to)
    return 1
