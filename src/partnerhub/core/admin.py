"""The admin obeys the same rules as every page: ``visible_to`` for reading, ``accounts.permissions`` for writing.

Adding, changing, deleting (one record or the selected ones), inline rows and the choices of foreign keys all
go through the predicates of ``partnerhub.accounts.permissions`` (decision 0016).
"""

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.utils.translation import gettext_lazy as _
from i18nfield.admin import I18nModelAdmin

from partnerhub.accounts import permissions

NOT_YOURS = _("This belongs to another agency: you may only choose what your own agency maintains.")


def limit_choices(db_field, request, kwargs: dict, model) -> None:
    """Offer only what the actor may write into (a record's parent) or link to (what they can see)."""
    if "queryset" in kwargs:
        return
    target = db_field.related_model
    if is_guarded(db_field, model):
        kwargs["queryset"] = permissions.writable(target, request.user)
    elif hasattr(target._default_manager, "visible_to"):
        kwargs["queryset"] = target._default_manager.visible_to(request.user)


def is_guarded(db_field, model) -> bool:
    return db_field.name in {field.name for field in permissions.guarded_fields(model)}


def explained(formfield, db_field, model):
    """A refused owner says why, instead of Django's "not one of the available choices"."""
    if formfield is not None and is_guarded(db_field, model):
        formfield.error_messages = {**formfield.error_messages, "invalid_choice": NOT_YOURS}
    return formfield


def autocomplete_source(request):
    """The (model, field) an admin autocomplete request searches choices for, if this is one."""
    match = request.resolver_match
    if match is None or match.url_name != "autocomplete":
        return None
    try:
        model = apps.get_model(request.GET.get("app_label", ""), request.GET.get("model_name", ""))
        return model, model._meta.get_field(request.GET.get("field_name", ""))
    except (LookupError, ValueError, FieldDoesNotExist):
        return None


class VisibilityAdminMixin:
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        source = autocomplete_source(request)
        if source is not None and is_guarded(source[1], source[0]):
            # The drop-down of an owner field offers what the form accepts: what the actor may write into.
            queryset = queryset.filter(pk__in=permissions.writable(self.model, request.user).values("pk"))
        return queryset, may_have_duplicates

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and permissions.can_add(request.user, self.model)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return permissions.can_edit(request.user, obj)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None:
            return allowed
        return permissions.can_edit(request.user, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs, self.model)
        return explained(super().formfield_for_foreignkey(db_field, request, **kwargs), db_field, self.model)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs, self.model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_form(self, request, form, change):
        # Before any admin's save_model (which calls its service, checking again), list_editable rows too.
        obj = super().save_form(request, form, change)
        permissions.require_save(request.user, obj)
        return obj

    def save_formset(self, request, form, formset, change):
        permissions.require_save(request.user, form.instance)
        return super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        if not permissions.can_edit(request.user, obj):
            raise PermissionDenied
        return super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if queryset.exclude(pk__in=permissions.writable(self.model, request.user).values("pk")).exists():
            raise PermissionDenied
        return super().delete_queryset(request, queryset)


class VisibilityInlineMixin:
    """Inline rows: written only on a record the actor may edit, linking only to what the actor can see.

    A row that points to a part of the same record (a trip's travel leg to its stops, a signatory to the
    agreement's parties) is offered the parts of *this* record only, not those of every record.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Inlines are no I18nModelAdmin: without its widgets a multilingual field crashes the page.
        for field, options in I18nModelAdmin.formfield_overrides_defaults.items():
            self.formfield_overrides.setdefault(field, options)

    def has_add_permission(self, request, obj=None):
        allowed = super().has_add_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or permissions.can_edit(request.user, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._limit_to_parts_of_the_parent(db_field, request, kwargs)
        limit_choices(db_field, request, kwargs, self.model)
        return explained(super().formfield_for_foreignkey(db_field, request, **kwargs), db_field, self.model)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs, self.model)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def _limit_to_parts_of_the_parent(self, db_field, request, kwargs: dict) -> None:
        target = db_field.related_model
        if "queryset" in kwargs or target is self.parent_model:
            return
        to_parent = [
            field
            for field in target._meta.fields
            if field.is_relation and field.many_to_one and field.related_model is self.parent_model
        ]
        if len(to_parent) != 1:
            return
        match = request.resolver_match
        parent_id = match.kwargs.get("object_id") if match else None
        kwargs["queryset"] = target._default_manager.filter(**{to_parent[0].attname: parent_id})


class OperatorOnlyMixin:
    """Platform-wide data (users, groups, embeddings, privacy notices, tasks): platform operators only."""

    def has_module_permission(self, request):
        return permissions.is_platform_operator(request.user)

    def has_view_permission(self, request, obj=None):
        return permissions.is_platform_operator(request.user)

    def has_add_permission(self, request, *args):
        return permissions.is_platform_operator(request.user) and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return permissions.is_platform_operator(request.user) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return permissions.is_platform_operator(request.user) and super().has_delete_permission(request, obj)
