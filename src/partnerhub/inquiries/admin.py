from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnerhub.core.admin import VisibilityAdminMixin
from partnerhub.inquiries import services
from partnerhub.inquiries.models import Inquiry, InquiryReply


class ReplyInline(admin.TabularInline):
    model = InquiryReply
    extra = 0
    fields = ["sent_at", "author", "body"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Inquiry)
class InquiryAdmin(VisibilityAdminMixin, admin.ModelAdmin):
    """Read-only: inquiries arrive through the public form and are answered from the staff inbox."""

    list_display = ["subject", "partnership", "sender_name", "language", "status", "created_at"]
    list_filter = ["status", "language"]
    search_fields = ["subject", "sender_name", "sender_email", "sender_organisation"]
    date_hierarchy = "created_at"
    inlines = [ReplyInline]
    actions = ["close_selected"]
    readonly_fields = [
        "partnership",
        "sender_name",
        "sender_email",
        "sender_organisation",
        "subject",
        "message",
        "language",
        "status",
        "created_at",
        "answered_at",
        "answered_by",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Close selected inquiries"))
    def close_selected(self, request, queryset):
        closed = 0
        for inquiry in queryset:
            try:
                services.close_inquiry(inquiry, actor=request.user)
            except PermissionDenied:
                continue
            closed += 1
        self.message_user(
            request,
            ngettext("%(count)d inquiry closed.", "%(count)d inquiries closed.", closed) % {"count": closed},
            messages.SUCCESS,
        )
