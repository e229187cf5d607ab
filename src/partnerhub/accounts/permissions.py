"""What a user may do: the named predicates every write checks (see docs/decisions/0016-writes.md).

Seeing is decided by ``visible_to`` (``accounts/visibility.py``); writing by the predicates here, which build
on each model's ``editable_q`` rule:

- a record that exists may be changed or deleted when it is in ``Model.objects.editable_by(user)``;
- a record is created (or moved) *under* something: the target of the model's ``editable_through`` foreign
  key (the owning agency, or the partnership, organisation or region it hangs on). The actor must be able to
  edit that target. A record without such a target (a new top-level agency, a new country) and every model
  without an ``editable_q`` rule are written by platform operators only;
- platform-wide actions (re-embedding every item, embedding models) are for platform operators only.

The admin (``core.admin.VisibilityAdminMixin``), the views and the service functions call these; the API
will too. ``actor=None`` in a service means the platform itself (demo loader, management commands).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.translation import gettext as _

from partnerhub.accounts.visibility import viewer_for


def is_platform_operator(user) -> bool:
    """The people who run the platform itself (superusers), as opposed to the staff of one agency."""
    return viewer_for(user).is_superuser


def can_manage_outbox(user) -> bool:
    """Who sees the e-mails on their way out (recipients, subjects, errors) and sends failed ones again:
    the platform's operators, since the outbox holds every agency's mail."""
    return is_platform_operator(user)


def require_outbox_manager(actor) -> None:
    if actor is not None and not can_manage_outbox(actor):
        raise PermissionDenied(_("Only the platform's operators may do this."))


def has_write_rule(model: type[models.Model]) -> bool:
    """Whether the model says which agency may change its records (``editable_q`` beside the model)."""
    return hasattr(model, "editable_q") and hasattr(model._default_manager, "editable_by")


def writable(model: type[models.Model], user) -> models.QuerySet:
    """The records of ``model`` the user may change, or create records under; operators: all."""
    manager = model._default_manager
    if is_platform_operator(user):
        return manager.all()
    if not has_write_rule(model):
        return manager.none()
    return manager.editable_by(user)


def parent_field(model: type[models.Model]) -> models.ForeignKey | None:
    """The foreign key a new record hangs on (its owning agency, partnership, organisation, region…)."""
    name = getattr(model, "editable_through", None)
    return model._meta.get_field(name) if name else None


def guarded_fields(model: type[models.Model]) -> list[models.ForeignKey]:
    """The foreign keys that must point to records the actor may edit: the parent, and ``editable_also``
    (links that confer rights, such as a partnership's home region or an agency's seat)."""
    parent = parent_field(model)
    also = [model._meta.get_field(name) for name in getattr(model, "editable_also", ())]
    return ([parent] if parent is not None else []) + also


def can_edit(user, obj: models.Model) -> bool:
    """May the user change or delete this stored record?"""
    if is_platform_operator(user):
        return True
    if obj.pk is None or not has_write_rule(type(obj)):
        return False
    return writable(type(obj), user).filter(pk=obj.pk).exists()


def can_add(user, model: type[models.Model]) -> bool:
    """Is there anything the user may create a ``model`` record under (so the add form makes sense)?"""
    if is_platform_operator(user):
        return True
    field = parent_field(model)
    if field is None or not has_write_rule(model):
        return False
    return writable(field.related_model, user).exists()


def can_save(user, obj: models.Model) -> bool:
    """May the user save ``obj`` in its current (unsaved) state, whether it is new or changed?

    A new record needs a parent the user may edit. A change must be to a record the user may edit; if it
    points a guarded foreign key elsewhere (say, to another owning agency), the new target must be one the
    user may edit, as for a new record.
    """
    if is_platform_operator(user):
        return True
    model = type(obj)
    fields = guarded_fields(model)
    parent = parent_field(model)
    stored = None
    if obj.pk is not None:
        columns = [f.attname for f in fields] or ["pk"]
        stored = model._default_manager.filter(pk=obj.pk).values(*columns).first()
    if stored is None:
        if parent is None or not has_write_rule(model):
            return False
    elif not can_edit(user, obj):
        return False
    for field in fields:
        value = getattr(obj, field.attname)
        if stored is not None and stored[field.attname] == value:
            continue
        if value is None:
            if field is parent:
                return False
            continue
        if not writable(field.related_model, user).filter(pk=value).exists():
            return False
    return True


def require_save(actor, obj: models.Model) -> None:
    """Raise ``PermissionDenied`` unless ``actor`` may save ``obj`` (``None``: the platform itself)."""
    if actor is not None and not can_save(actor, obj):
        raise PermissionDenied(
            _("You may change only your own agency's records, and create records only for your own agency.")
        )


def require_platform_operator(actor) -> None:
    if actor is not None and not is_platform_operator(actor):
        raise PermissionDenied(_("Only the platform's operators may do this."))


def user_passes(predicate: Callable[[object], bool], message):
    """View decorator: refuse with 403 and ``message`` (a lazy translation) unless ``predicate(request.user)``."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied(str(message))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
