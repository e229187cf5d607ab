"""Sentences for the audit actions of partnerships and agreements (registered by PartnershipsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core.history import as_date, record, sentence


def _parts(value, entry=None, reader=None) -> str:
    """The changed parts (model names such as ``signatory``) in the reader's words."""
    from django.apps import apps

    names = []
    for name in value or []:
        try:
            names.append(str(apps.get_model("partnerships", name)._meta.verbose_name_plural))
        except LookupError:
            names.append(str(name))
    return ", ".join(names)


def _partnership_status(value, entry=None, reader=None) -> str:
    from partnerhub.partnerships.models import Partnership

    return str(dict(Partnership.Status.choices).get(value, value))


def _agreement_status(value, entry=None, reader=None) -> str:
    from partnerhub.partnerships.models import Agreement

    return str(dict(Agreement.Status.choices).get(value, value))


agency = record("agencies.Agency", "slug")

sentence(
    "partnership.created", _("%(actor)s created the partnership (%(status)s)."), status=_partnership_status
)
sentence(
    "partnership.updated", _("%(actor)s changed the partnership (%(status)s)."), status=_partnership_status
)
sentence("partnership.shared", _("%(actor)s shared the partnership with %(agency)s."), agency=agency)
sentence("agreement.created", _("%(actor)s created the agreement (%(status)s)."), status=_agreement_status)
sentence("agreement.updated", _("%(actor)s changed the agreement (%(status)s)."), status=_agreement_status)
sentence("agreement.signed", _("%(actor)s recorded the signing on %(signed_on)s."), signed_on=as_date)
sentence(
    "agreement.status_changed",
    _("%(actor)s changed the agreement's status from %(old)s to %(new)s."),
    old=_agreement_status,
    new=_agreement_status,
)
sentence("agreement.shared", _("%(actor)s shared the agreement with %(agency)s."), agency=agency)
sentence(
    "agreement.document_attached",
    _("%(actor)s attached the document %(document)s."),
    document=record("partnerships.AgreementDocument"),
)
sentence("agreement.details_changed", _("%(actor)s changed the agreement's %(parts)s."), parts=_parts)
