"""The outbox: every e-mail is a row first, then delivered, retried with back-off, resent (decisions/0022).

``queue`` stores the row inside the caller's transaction and asks for delivery once it commits; ``deliver``
claims a due row (a conditional UPDATE, so two workers never both send it), sends it through Django's mail
backend and marks it sent. A failed attempt goes back to "pending" with the next attempt after the delay of
``EMAIL_RETRY_DELAYS``; after the last delay, or at once when the server refuses every recipient with a 5xx,
the row is "failed" and waits for an operator to send it again.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
import time
from email.utils import make_msgid, parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from partnerhub.core import audit
from partnerhub.notifications.models import STUCK_ERROR, OutgoingEmail

logger = logging.getLogger(__name__)
Status = OutgoingEmail.Status


def retry_delays() -> list[datetime.timedelta]:
    return [datetime.timedelta(minutes=minutes) for minutes in settings.EMAIL_RETRY_DELAYS]


def _message_id(from_email: str) -> str:
    domain = parseaddr(from_email)[1].rpartition("@")[2] or "partnerhub.invalid"
    return make_msgid(domain=domain)


def queue(
    to: list[str],
    subject: str,
    body: str,
    *,
    html_body: str = "",
    from_email: str | None = None,
    reply_to: list[str] | None = None,
    headers: dict | None = None,
    kind: str = "",
    language: str = "",
) -> OutgoingEmail:
    """Store the e-mail in the current transaction; it is delivered once that transaction commits."""
    from_email = from_email or settings.DEFAULT_FROM_EMAIL
    headers = {k: v for k, v in (headers or {}).items() if k.lower() != "message-id"}
    email = OutgoingEmail.objects.create(
        to=list(to),
        subject=subject,
        body=body,
        html_body=html_body,
        from_email=from_email,
        reply_to=list(reply_to or []),
        headers=headers,
        message_id=_message_id(from_email),
        kind=kind[:100],
        language=language or "",
        next_attempt_at=timezone.now(),
    )
    # robust: a queue that cannot be reached must not fail the request; deliver_outbox finds the row.
    transaction.on_commit(lambda: request_delivery(email.pk), robust=True)
    return email


def queue_message(message: EmailMessage, *, kind: str = "", language: str = "") -> OutgoingEmail:
    """Store a ready ``EmailMessage`` (allauth's) in the outbox instead of sending it."""
    html = ""
    for content, mimetype in getattr(message, "alternatives", None) or []:
        if mimetype == "text/html":
            html = content
    body = message.body
    if getattr(message, "content_subtype", "plain") == "html":
        html, body = message.body, ""
    return queue(
        message.to,
        message.subject,
        body,
        html_body=html,
        from_email=message.from_email,
        reply_to=message.reply_to,
        headers=message.extra_headers,
        kind=kind,
        language=language,
    )


# When the server could not be reached, the time (monotonic): with the immediate backend the next requests of
# this process leave their e-mails to deliver_outbox for a while rather than each wait EMAIL_TIMEOUT again.
_unreachable_since: float | None = None
UNREACHABLE_PAUSE = 60.0


def request_delivery(pk: int, run_after: datetime.datetime | None = None) -> None:
    """Enqueue the delivery task; a deferred one only where the task backend can defer."""
    from partnerhub.notifications.tasks import deliver_email

    task = deliver_email
    immediate = not task.get_backend().supports_defer
    if immediate and _unreachable_since is not None:
        if time.monotonic() - _unreachable_since < UNREACHABLE_PAUSE:
            return  # the server was unreachable a moment ago: the row waits for deliver_outbox
    if run_after is not None:
        if immediate:
            return  # the immediate backend: deliver_outbox (cron) makes the next attempt
        task = task.using(run_after=run_after)
    task.enqueue(pk)


def _claim(pk: int) -> OutgoingEmail | None:
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), pk=pk, status=Status.PENDING
    ).update(status=Status.SENDING, claimed_at=now)
    if not claimed:
        return None  # sent already, being sent by another worker, failed, or not due yet
    return OutgoingEmail.objects.get(pk=pk)


def _as_message(email: OutgoingEmail, connection=None) -> EmailMessage:
    headers = {**email.headers, "Message-ID": email.message_id}
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email,
        to=email.to,
        reply_to=email.reply_to or None,
        headers=headers,
        connection=connection,
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


def _is_permanent(error: Exception) -> bool:
    """The server refused every recipient for good (5xx): trying again would not help."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _message in error.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return False


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        reasons = [
            f"{address}: {code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
            for address, (code, message) in error.recipients.items()
        ]
        return "; ".join(reasons)
    return f"{type(error).__name__}: {error}"[:2000]


def _record_failure(email: OutgoingEmail, error_text: str, *, permanent: bool) -> None:
    attempts = email.attempts + 1
    delays = retry_delays()
    now = timezone.now()
    if permanent or attempts > len(delays):
        status, next_at = Status.FAILED, None
    else:
        status, next_at = Status.PENDING, now + delays[attempts - 1]
    OutgoingEmail.objects.filter(pk=email.pk, status=Status.SENDING, claimed_at=email.claimed_at).update(
        status=status, attempts=attempts, next_attempt_at=next_at, last_error=error_text, claimed_at=None
    )
    if next_at is not None:
        transaction.on_commit(lambda: request_delivery(email.pk, run_after=next_at), robust=True)


def deliver(pk: int, connection=None) -> bool:
    """Send one due pending e-mail; True when it was sent now. A row sent already is never sent again."""
    global _unreachable_since
    email = _claim(pk)
    if email is None:
        return False
    try:
        _as_message(email, connection).send()
    except (smtplib.SMTPException, OSError) as error:
        logger.warning("E-mail %s not delivered: %s", email.message_id, error)
        # SMTPException is an OSError too: only a server we could not talk to pauses the immediate sends.
        unreachable = isinstance(error, smtplib.SMTPServerDisconnected | smtplib.SMTPConnectError) or not (
            isinstance(error, smtplib.SMTPException)
        )
        _unreachable_since = time.monotonic() if unreachable else None
        _record_failure(email, _describe(error), permanent=_is_permanent(error))
        return False
    _unreachable_since = None
    OutgoingEmail.objects.filter(pk=email.pk, claimed_at=email.claimed_at).update(
        status=Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="", claimed_at=None
    )
    return True


def take_back_stuck(timeout: datetime.timedelta | None = None) -> int:
    """Rows "sending" for longer than the timeout: their worker died. Count a failed attempt, try again now."""
    if timeout is None:
        timeout = datetime.timedelta(seconds=settings.EMAIL_SENDING_TIMEOUT)
    cutoff = timezone.now() - timeout
    taken = 0
    for email in OutgoingEmail.objects.filter(status=Status.SENDING, claimed_at__lte=cutoff):
        attempts = email.attempts + 1
        status = Status.FAILED if attempts > len(retry_delays()) else Status.PENDING
        taken += OutgoingEmail.objects.filter(
            pk=email.pk, status=Status.SENDING, claimed_at=email.claimed_at
        ).update(
            status=status, attempts=attempts, last_error=STUCK_ERROR,
            next_attempt_at=timezone.now() if status == Status.PENDING else None,
            claimed_at=None,
        )  # fmt: skip
    return taken


def purge_sent(days: int | None = None) -> int:
    """Sent e-mails older than EMAIL_KEEP_SENT_DAYS are deleted: the outbox is no archive of personal data."""
    days = settings.EMAIL_KEEP_SENT_DAYS if days is None else days
    cutoff = timezone.now() - datetime.timedelta(days=days)
    return OutgoingEmail.objects.filter(status=Status.SENT, sent_at__lt=cutoff).delete()[0]


def due() -> list[int]:
    return list(
        OutgoingEmail.objects.filter(status=Status.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
    )


def resend_email(email: OutgoingEmail, actor) -> None:
    """An operator sends a failed (or waiting) e-mail again now, with a fresh series of attempts."""
    from partnerhub.accounts.permissions import require_outbox_manager

    require_outbox_manager(actor)
    with transaction.atomic():
        changed = OutgoingEmail.objects.filter(
            pk=email.pk, status__in=[Status.FAILED, Status.PENDING]
        ).update(status=Status.PENDING, attempts=0, next_attempt_at=timezone.now())
        if not changed:
            return
        audit.record(actor, "notifications.email_resent", email, to=email.to, subject=email.subject)
        transaction.on_commit(lambda: request_delivery(email.pk), robust=True)
