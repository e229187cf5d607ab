"""Sentences for the audit actions of organisations and contacts (registered by OrganisationsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core.history import choice, record, sentence


def _consent(value, entry=None, reader=None) -> str:
    from partnerhub.organisations.models import Person

    return choice(Person.Consent)(value)


agency = record("agencies.Agency", "slug")

sentence("organisation.created", _("%(actor)s created the organisation %(name)s."))
sentence("organisation.updated", _("%(actor)s changed the organisation %(name)s."))
sentence("organisation.shared", _("%(actor)s shared the organisation with %(agency)s."), agency=agency)
sentence(
    "organisation.unshared", _("%(actor)s stopped sharing the organisation with %(agency)s."), agency=agency
)
sentence("person.created", _("%(actor)s added the contact %(name)s."))
sentence("person.updated", _("%(actor)s changed the contact %(name)s."))


def _consent_sentence(data):
    # Entries since the workspace name the privacy notice the consent refers to; older ones do not.
    if data.get("notice") and data.get("notice") != "–":
        return _("%(actor)s recorded the contact's consent: %(consent)s (privacy notice %(notice)s).")
    return _("%(actor)s recorded the contact's consent: %(consent)s.")


sentence("person.consent_changed", _consent_sentence, consent=_consent)
sentence("organisation.merged", _("%(actor)s merged the duplicate %(dropped)s into this organisation."))
sentence("person.merged", _("%(actor)s merged the duplicate contact %(dropped)s into this one."))
