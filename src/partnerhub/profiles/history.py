"""Sentences for the audit actions of cooperation profiles (registered by ProfilesConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core.history import as_date, choice, sentence


def _status(value, entry=None, reader=None) -> str:
    from partnerhub.profiles.models import CooperationProfile

    return choice(CooperationProfile.Status)(value)


sentence("profile.created", _("%(actor)s created the profile."))
sentence("profile.updated", _("%(actor)s changed the profile."))
sentence("profile.returned_to_review", _("The changed profile went back to review."))
sentence("profile.submitted", _("%(actor)s submitted the profile for review."))
sentence("profile.published", _("%(actor)s published the profile."))
sentence("profile.rejected", _("%(actor)s sent the profile back: %(note)s"))
sentence("profile.withdrawn", _("%(actor)s withdrew the profile (it was %(old)s)."), old=_status)
sentence(
    "profile.renewed",
    _("%(actor)s extended the profile from %(old)s to %(new)s."),
    old=as_date,
    new=as_date,
)
sentence("profile.expired", _("The profile expired on %(valid_until)s."), valid_until=as_date)
sentence(
    "profile.reminder_sent",
    _("A reminder went out that the profile expires on %(valid_until)s."),
    valid_until=as_date,
)
