from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.regions.models import Region


@admin.register(Region)
class RegionAdmin(I18nModelAdmin):
    list_display = ["__str__", "native_name", "kind", "country", "population", "area_km2"]
    list_filter = ["kind", "country"]
    search_fields = ["slug", "name", "native_name", "native_name_latin"]
    autocomplete_fields = ["parent", "strength_sectors"]
