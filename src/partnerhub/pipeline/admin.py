from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.accounts.visibility import viewer_for
from partnerhub.pipeline.models import Stage


@admin.register(Stage)
class StageAdmin(I18nModelAdmin):
    """Agencies rename, reorder and add the stages of their board here."""

    list_display = ["__str__", "key", "position", "outcome", "agency"]
    list_editable = ["position"]
    list_filter = ["agency", "outcome"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        viewer = viewer_for(request.user)
        return queryset if viewer.is_superuser else queryset.filter(agency_id__in=viewer.agency_family)

    def get_readonly_fields(self, request, obj=None):
        # Keys are what code and history refer to; once a stage exists only its name, order and outcome change.
        return ["key", "agency"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "agency":
            from partnerhub.agencies.models import Agency

            viewer = viewer_for(request.user)
            roots = Agency.objects.filter(parent__isnull=True)
            kwargs["queryset"] = roots if viewer.is_superuser else roots.filter(pk__in=viewer.agency_family)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
