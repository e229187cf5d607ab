"""Admin for registration: the organiser's questions, and registrations decided through the services.

Imported by ``delegations/admin.py``; ``RegistrationQuestionInline`` can be added to the trip's inlines.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from i18nfield import fields as i18n_fields
from i18nfield import forms as i18n_forms
from i18nfield.admin import I18nModelAdmin

from partnerhub.core.admin import VisibilityAdminMixin, VisibilityInlineMixin
from partnerhub.delegations.models import Delegation, Registration, RegistrationQuestion
from partnerhub.delegations.registration import services
from partnerhub.delegations.registration.sensitive import answers_for

I18N_WIDGETS = {
    i18n_fields.I18nCharField: {"widget": i18n_forms.I18nTextInput},
    i18n_fields.I18nTextField: {"widget": i18n_forms.I18nTextarea},
}


class RegistrationQuestionInline(VisibilityInlineMixin, admin.StackedInline):
    model = RegistrationQuestion
    fk_name = "delegation"
    extra = 0
    formfield_overrides = I18N_WIDGETS
    fields = [
        ("key", "kind", "required", "position"), "label", "choices", ("only_outgoing", "depends_on", "depends_value")
    ]  # fmt: skip

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "depends_on":
            trip_id = request.resolver_match.kwargs.get("object_id") if request.resolver_match else None
            kwargs["queryset"] = RegistrationQuestion.objects.filter(delegation_id=trip_id)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(RegistrationQuestion)
class RegistrationQuestionAdmin(I18nModelAdmin):
    list_display = ["__str__", "delegation", "key", "kind", "required", "only_outgoing", "position"]
    list_filter = ["kind", "only_outgoing"]
    search_fields = ["key", "label", "delegation__slug"]
    autocomplete_fields = ["delegation"]

    def get_queryset(self, request):
        trips = Delegation.objects.visible_to(request.user)
        return super().get_queryset(request).filter(delegation__in=trips).select_related("delegation")

    def _may_change(self, request, obj) -> bool:
        return (
            obj is None or Delegation.objects.editable_by(request.user).filter(pk=obj.delegation_id).exists()
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._may_change(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._may_change(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "delegation":
            kwargs["queryset"] = Delegation.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_question(obj, actor=request.user)


@admin.register(Registration)
class RegistrationAdmin(VisibilityAdminMixin, admin.ModelAdmin):
    """Registrations are read here and decided with the actions, so e-mails and the waiting list follow."""

    list_display = ["__str__", "delegation", "organisation_name", "email", "status", "created_at"]
    list_filter = ["status", "language"]
    search_fields = [
        "family_name",
        "given_name",
        "name_latin",
        "email",
        "organisation_name",
        "delegation__slug",
    ]
    list_select_related = ["delegation"]
    date_hierarchy = "created_at"
    actions = ["approve_selected", "decline_selected", "cancel_selected"]

    def has_add_permission(self, request):
        return False  # people register on the form, where consent is given

    def get_readonly_fields(self, request, obj=None):
        # The answers are shown through answers_shown: passport numbers only to the organisers (0019).
        fields = [f.name for f in self.model._meta.fields if f.name not in ("id", "answers")]
        return [*fields, "answers_shown"]

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:  # what this request's user may read, kept on the object, not on the admin
            obj.answers_as_shown = answers_for(obj, request.user)
        return obj

    @admin.display(description=_("answers"))
    def answers_shown(self, obj):
        return getattr(obj, "answers_as_shown", "")

    def _act(self, request, queryset, action, **kwargs):
        done = 0
        for registration in queryset.select_related("delegation"):
            try:
                action(registration, actor=request.user, **kwargs)
                done += 1
            except (PermissionDenied, ValidationError) as exc:
                for message in getattr(exc, "messages", [str(exc)]):
                    self.message_user(request, f"{registration}: {message}", messages.ERROR)
        if done:
            self.message_user(
                request, _("%(count)d registrations changed.") % {"count": done}, messages.SUCCESS
            )

    @admin.action(description=_("Approve selected registrations"))
    def approve_selected(self, request, queryset):
        self._act(request, queryset, services.approve)

    @admin.action(description=_("Decline selected registrations"))
    def decline_selected(self, request, queryset):
        self._act(request, queryset, services.decline, reason="")

    @admin.action(description=_("Cancel selected registrations"))
    def cancel_selected(self, request, queryset):
        self._act(request, queryset, services.cancel)
