"""What the organisation's page offers the reader for editing, decided by the permission predicates."""

from django import template

from partnerhub.core import audit
from partnerhub.core.history import describe
from partnerhub.organisations.permissions import can_maintain

register = template.Library()


@register.simple_tag(takes_context=True)
def organisation_workspace(context, organisation) -> dict:
    """``may_edit`` (edit, add contacts, look for duplicates), the editable contacts and the history in
    sentences; empty for readers who may not edit it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not can_maintain(user, organisation):
        return {"may_edit": False}
    label = organisation.display_name
    history = [
        (entry, describe(entry, reader=user, object_label=label))
        for entry in audit.history(organisation)[:20]
    ]
    return {"may_edit": True, "history": history}


@register.simple_tag(takes_context=True)
def organisations_workspace_links(context) -> bool:
    """Whether the directory offers "new organisation" and "likely duplicates" (agency staff, operators)."""
    from partnerhub.accounts.permissions import can_add
    from partnerhub.organisations.models import Organisation
    from partnerhub.organisations.permissions import is_workspace_user

    user = getattr(context.get("request"), "user", None)
    return bool(user and user.is_authenticated and is_workspace_user(user) and can_add(user, Organisation))
