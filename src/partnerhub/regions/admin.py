from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.core.admin import VisibilityAdminMixin
from partnerhub.regions import services
from partnerhub.regions.models import Region


@admin.register(Region)
class RegionAdmin(VisibilityAdminMixin, I18nModelAdmin):
    """Everyone sees every region; its figures are kept by the agencies that keep it (Region.editable_q)."""

    list_display = ["__str__", "native_name", "kind", "country", "population", "area_km2"]
    list_filter = ["kind", "country"]
    search_fields = ["slug", "name", "native_name", "native_name_latin"]
    autocomplete_fields = ["parent", "strength_sectors"]

    def save_model(self, request, obj, form, change):
        services.save_region(obj, actor=request.user)
