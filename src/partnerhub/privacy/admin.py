from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.core.admin import OperatorOnlyMixin
from partnerhub.privacy.models import PrivacyNotice


@admin.register(PrivacyNotice)
class PrivacyNoticeAdmin(OperatorOnlyMixin, I18nModelAdmin):
    """The platform's notice, which everyone who registers agrees to: the operators publish it."""

    list_display = ["version", "published_at"]

    def has_change_permission(self, request, obj=None):
        # A published version is what people agreed to: publish a new version instead of editing it.
        return obj is None and super().has_change_permission(request, obj)
