"""Sentences for the audit actions of project ideas (registered by IdeasConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core.history import record, sentence

sentence("idea.submitted", _("The submitter sent in the idea (attachments: %(attachments)s)."))
sentence("idea.confirmed", _("The submitter confirmed the e-mail address; the idea reached the agency."))
sentence("idea.purged_unconfirmed", _("The idea was deleted because its address was never confirmed."))
sentence(
    "idea.information_added",
    lambda data: (
        _("The submitter added information (attachments: %(attachments)s).")
        if data.get("note")
        else _("The submitter added attachments: %(attachments)s.")
    ),
)
sentence(
    "idea.organisation_linked",
    lambda data: (
        _("%(actor)s created the organisation %(organisation)s from the idea and linked it.")
        if data.get("created")
        else _("%(actor)s linked the idea to the organisation %(organisation)s.")
    ),
    organisation=record("organisations.Organisation"),
)
