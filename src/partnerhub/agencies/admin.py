from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.agencies import services
from partnerhub.agencies.models import Agency
from partnerhub.core.admin import VisibilityAdminMixin
from partnerhub.core.fields import HTTPS_URLS


@admin.register(Agency)
class AgencyAdmin(VisibilityAdminMixin, I18nModelAdmin):
    """Staff keep their own agency family's records; new top-level agencies are the operators' to add."""

    formfield_overrides = HTTPS_URLS
    list_display = ["__str__", "kind", "parent", "region"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["region", "parent", "organisation", "contact"]

    def has_view_permission(self, request, obj=None):
        # Agencies are named on public pages; staff pick them (owner, shared with) in every other form.
        return request.user.is_active and request.user.is_staff or super().has_view_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.save_agency(obj, actor=request.user)
