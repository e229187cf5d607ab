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
sentence(
    "person.consent_changed", _("%(actor)s recorded the contact's consent: %(consent)s."), consent=_consent
)
