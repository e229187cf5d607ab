from allauth.account.adapter import DefaultAccountAdapter


class InviteOnlyAccountAdapter(DefaultAccountAdapter):
    """Accounts are created by agency staff (or the admin), not by self sign-up."""

    def is_open_for_signup(self, request):
        return False
