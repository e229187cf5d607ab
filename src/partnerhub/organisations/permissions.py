"""Who may use the staff workspace of organisations and contacts.

``editable_q`` lets a member of an organisation change their own organisation's record (the rule the admin
and the services apply). The workspace pages — editing organisations and contacts, recording consent,
merging duplicates — are the agencies' tools: they are offered to agency staff and the platform's
operators only, and within that to the records ``can_edit`` allows.
"""

from partnerhub.accounts.permissions import can_edit, is_platform_operator
from partnerhub.accounts.visibility import viewer_for


def is_workspace_user(user) -> bool:
    return is_platform_operator(user) or viewer_for(user).is_agency_staff


def can_maintain(user, obj) -> bool:
    """May ``user`` edit this organisation or contact on the staff pages?"""
    return is_workspace_user(user) and can_edit(user, obj)
