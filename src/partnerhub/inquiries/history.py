"""Sentences for the audit actions of inquiries (registered by InquiriesConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core.history import sentence

sentence("inquiry.submitted", _("The inquiry was sent in."))
sentence("inquiry.answered", _("%(actor)s answered the inquiry."))
sentence("inquiry.closed", _("%(actor)s closed the inquiry."))
