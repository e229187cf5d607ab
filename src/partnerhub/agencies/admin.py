from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.agencies import services
from partnerhub.agencies.models import Agency
from partnerhub.core.fields import HTTPS_URLS


@admin.register(Agency)
class AgencyAdmin(I18nModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["__str__", "kind", "parent", "region"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["region", "parent", "organisation", "contact"]

    def save_model(self, request, obj, form, change):
        services.save_agency(obj, actor=request.user)
