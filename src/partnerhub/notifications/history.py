"""Sentences for the audit actions of notification settings (registered by NotificationsConfig.ready)."""

from django.utils.translation import gettext_lazy as _

from partnerhub.core.history import sentence

sentence("notifications.preferences_changed", _("%(actor)s changed their notification settings."))
sentence("notifications.unsubscribed", _("An address switched off an e-mail through its unsubscribe link."))
sentence("notifications.email_resent", _("%(actor)s sent an e-mail again."))
