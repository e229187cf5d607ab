"""Deleting a kept record: refused while anything still refers to it, confirmed on a page that says why.

A deletion never cascades into other records or quietly drops their links (a trip's destinations, a
profile's target regions): the page lists what still points to the record, and the service refuses too."""

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _


def in_use(obj: models.Model) -> list[str]:
    """What still points to ``obj`` ("3 organisations"), read from every reverse relation, hidden ones too."""
    uses = []
    for rel in obj._meta.get_fields(include_hidden=True):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        related = rel.related_model
        if related is None or related._meta.auto_created or not hasattr(rel, "field"):
            continue
        count = related._base_manager.filter(**{rel.field.name: obj}).count()
        if count:
            uses.append(
                f"{count} {related._meta.verbose_name_plural if count > 1 else related._meta.verbose_name}"
            )
    return uses


def refuse_if_used(obj: models.Model) -> None:
    uses = in_use(obj)
    if uses:
        raise ValidationError(
            _("This record cannot be deleted while other records refer to it: %(uses)s.")
            % {"uses": ", ".join(uses)},
            code="in_use",
        )


def confirm_delete(
    request: HttpRequest, obj: models.Model, delete: Callable[[], object], *, done: str, then: str
) -> HttpResponse:
    """The confirmation page for deleting ``obj``; on POST, ``delete()`` runs (a service that refuses with a
    ValidationError), ``done`` is the success message and ``then`` the URL name to go to."""
    blockers = in_use(obj)
    if request.method == "POST" and not blockers:
        try:
            delete()
        except ValidationError as exc:
            blockers = exc.messages
        else:
            messages.success(request, done)
            return redirect(then)
    return render(
        request,
        "partnerhub/confirm_delete.html",
        {"object": obj, "blockers": blockers, "cancel_url": obj.get_absolute_url()},
    )
