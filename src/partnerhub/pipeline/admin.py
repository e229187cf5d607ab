from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.accounts import permissions
from partnerhub.agencies.models import Agency
from partnerhub.core.admin import VisibilityAdminMixin
from partnerhub.pipeline.models import Stage


@admin.register(Stage)
class StageAdmin(VisibilityAdminMixin, I18nModelAdmin):
    """Agencies rename, reorder and add the stages of their own board here (stages are per agency)."""

    list_display = ["__str__", "key", "position", "outcome", "agency"]
    list_editable = ["position"]
    list_filter = ["agency", "outcome"]

    def get_readonly_fields(self, request, obj=None):
        # Keys are what code and history refer to; once a stage exists only its name, order and outcome change.
        return ["key", "agency"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            # A board belongs to the top agency of a family; its units work on the same board.
            roots = Agency.objects.filter(parent__isnull=True)
            kwargs["queryset"] = roots & permissions.writable(Agency, request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
