"""Sentences for the audit actions of matching (registered by MatchingConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core.history import sentence

sentence("matching.suggestion_accepted", _("%(actor)s accepted a suggested match."))
sentence("matching.suggestion_dismissed", _("%(actor)s dismissed a suggested match: %(reason)s"))
sentence("matching.interest_expressed", _("%(actor)s asked to be introduced to a suggested partner."))
sentence("matching.introduction_forwarded", _("%(actor)s forwarded the request for an introduction."))
sentence("matching.introduction_accepted", _("%(actor)s accepted the introduction."))
sentence("matching.introduction_declined", _("%(actor)s declined the introduction: %(reason)s"))
sentence(
    "matching.trip_meetings_suggested",
    _("%(actor)s had meetings suggested for the trip's participants (%(count)s)."),
)
sentence(
    "matching.weights_learned",
    _("%(actor)s fitted new matching weights from %(marks)s feedback marks."),
)
