"""The outbox in the admin: read-only for the platform's operators, resent only through the service."""

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partnerhub.accounts.permissions import can_manage_outbox
from partnerhub.notifications import outbox
from partnerhub.notifications.models import OutgoingEmail


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    list_display = ["created_at", "recipients", "subject", "status", "attempts", "next_attempt_at", "sent_at"]
    list_filter = ["status", "kind", "language"]
    search_fields = ["subject", "message_id", "to"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    change_list_template = "notifications/outbox_admin_change_list.html"

    @admin.display(description=_("recipients"))
    def recipients(self, email):
        return ", ".join(email.to)

    def has_module_permission(self, request):
        return can_manage_outbox(request.user)

    def has_view_permission(self, request, obj=None):
        return can_manage_outbox(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Send the selected e-mails again"))
    def send_again(self, request, queryset):
        emails = list(queryset.exclude(status__in=[OutgoingEmail.Status.SENT, OutgoingEmail.Status.SENDING]))
        for email in emails:
            outbox.resend_email(email, actor=request.user)
        count = len(emails)
        self.message_user(
            request,
            ngettext("%(count)d e-mail is sent again.", "%(count)d e-mails are sent again.", count)
            % {"count": count},
            messages.SUCCESS,
        )
