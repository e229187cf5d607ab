"""E-mail is sent by a background task, never inside a request."""

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task


@task()
def send_email(to: list[str], subject: str, body: str, reply_to: list[str] | None = None) -> int:
    message = EmailMessage(
        subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=to, reply_to=reply_to or None
    )
    return message.send()
