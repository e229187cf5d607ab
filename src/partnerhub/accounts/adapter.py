from allauth.account.adapter import DefaultAccountAdapter

from partnerhub.core.abuse import client_ip


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by agency staff (or the admin), not by self sign-up."""

    def is_open_for_signup(self, request):
        return False

    def get_client_ip(self, request):
        # Login limits count per address exactly as our public forms do (BEHIND_PROXY, decisions/0017).
        return client_ip(request)
