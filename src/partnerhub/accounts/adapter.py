from allauth.account.adapter import DefaultAccountAdapter

from partnerhub.core.abuse import client_ip


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by agency staff (or the admin), not by self sign-up."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # Login limits count per address exactly as our public forms do (BEHIND_PROXY, decisions/0017).
        return client_ip(request)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's e-mails (address confirmation, password reset) go through the outbox too (0022)."""
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site
        from django.utils.translation import get_language

        from partnerhub.notifications import outbox

        request = allauth_context.request
        ctx = {"request": request, "email": email, "current_site": get_current_site(request), **context}
        message = self.render_mail(template_prefix, email, ctx)
        outbox.queue_message(message, kind=template_prefix, language=get_language() or "")
