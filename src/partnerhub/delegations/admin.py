from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.core.admin import VisibilityAdminMixin
from partnerhub.delegations import services
from partnerhub.delegations.models import Delegation, DelegationMember


class MemberInline(admin.TabularInline):
    model = DelegationMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(Delegation)
class DelegationAdmin(VisibilityAdminMixin, I18nModelAdmin):
    list_display = ["__str__", "direction", "start_date", "end_date", "status"]
    list_filter = ["direction", "status"]
    search_fields = ["slug", "title"]
    autocomplete_fields = ["partnership", "destinations", "shared_with"]
    inlines = [MemberInline]

    def save_model(self, request, obj, form, change):
        services.save_delegation(obj, actor=request.user)
