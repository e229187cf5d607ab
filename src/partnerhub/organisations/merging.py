"""Merging two records of the same thing: which fields may be chosen, and moving every reference.

The references are found through the model's relations and every generic foreign key in the project, never
from a hand-kept list, so a relation added later is moved too. ``_meta.related_objects`` is not enough: it
leaves out relations declared with ``related_name="+"`` (a suggestion's organisations, a counterpart
proposal, a delegation's leader, an agency's contact), several of which cascade, so a merge reading only it
would delete them with the dropped record; :func:`reverse_relations` includes the hidden ones. A row that
would collide with one the kept record already has (the same suggestion pair, an embedding, a delegation
membership) is a duplicate of that row and is deleted; a collision on a one-to-one link (two agencies seated
in the two records) cannot be resolved automatically and refuses the merge.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

# The fields the merge page lets staff choose between, in the order shown.
ORGANISATION_FIELDS = [
    "slug",
    "name",
    "name_latin",
    "name_translations",
    "kind",
    "region",
    "street",
    "postal_code",
    "city",
    "country",
    "website",
    "description",
    "founded",
    "headcount",
    "turnover_eur",
    "balance_sheet_eur",
    "size_class_override",
    "keywords",
    "technologies",
    "owner_agency",
    "is_public",
]
PERSON_FIELDS = [
    "family_name",
    "given_name",
    "name_latin",
    "title",
    "role",
    "organisation",
    "languages",
    "email",
    "phone",
    "consent",
]
KEEP, DROP = "keep", "drop"


def apply_choices(
    keep: models.Model, drop: models.Model, fields: list[str], choices: dict[str, str]
) -> list[str]:
    """Copy onto ``keep`` the values of the fields chosen from ``drop``; returns those field names. A unique
    value (the short name) taken from ``drop`` is freed on it first."""
    taken = []
    for name in fields:
        if choices.get(name) != DROP:
            continue
        field = keep._meta.get_field(name)
        value = getattr(drop, field.attname)
        if value == getattr(keep, field.attname):
            continue
        if field.unique:
            type(drop)._base_manager.filter(pk=drop.pk).update(**{field.attname: f"merged-{drop.pk}"})
        setattr(keep, field.attname, value)
        taken.append(name)
    return taken


def _update_or_dedupe(queryset: models.QuerySet, changes: dict, one_to_one: bool) -> int:
    """Point the rows at the kept record; a row that collides with an existing one is a duplicate."""
    moved = 0
    for row in queryset:
        try:
            with transaction.atomic():
                type(row)._base_manager.filter(pk=row.pk).update(**changes)
            moved += 1
        except IntegrityError:
            if one_to_one:
                raise ValidationError(
                    _("Both records are linked to a %(model)s; unlink one of them before merging.")
                    % {"model": row._meta.verbose_name}
                ) from None
            row.delete()
    return moved


def _generic_keys() -> list[tuple[type[models.Model], GenericForeignKey]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.private_fields
        if isinstance(field, GenericForeignKey)
    ]


def reverse_relations(model: type[models.Model]) -> list:
    """Every relation pointing at ``model``, hidden ones (``related_name="+"``, m2m through rows) included."""
    return [
        field
        for field in model._meta.get_fields(include_hidden=True)
        if field.auto_created
        and not field.concrete
        and (field.one_to_many or field.one_to_one or field.many_to_many)
    ]


def move_references(model: type[models.Model], keep: models.Model, drop: models.Model) -> dict[str, int]:
    """Move every reference to ``drop`` onto ``keep``; returns how many rows of each model moved."""
    moved: dict[str, int] = {}

    def count(label: str, n: int) -> None:
        if n:
            moved[label] = moved.get(label, 0) + n

    for relation in reverse_relations(model):
        related, field = relation.related_model, relation.field
        label = related._meta.label_lower
        if relation.many_to_many:
            accessor = field.name
            for row in related._base_manager.filter(**{accessor: drop}):
                manager = getattr(row, accessor)
                manager.add(keep)
                manager.remove(drop)
                count(label, 1)
            continue
        rows = related._base_manager.filter(**{field.name: drop})
        count(label, _update_or_dedupe(rows, {field.attname: keep.pk}, relation.one_to_one))
    content_type = ContentType.objects.get_for_model(model)
    for related, key in _generic_keys():
        rows = related._base_manager.filter(**{key.ct_field: content_type, key.fk_field: drop.pk})
        count(related._meta.label_lower, _update_or_dedupe(rows, {key.fk_field: keep.pk}, False))
    return moved
