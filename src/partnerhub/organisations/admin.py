from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from i18nfield.admin import I18nModelAdmin

from partnerhub.core.admin import VisibilityAdminMixin, VisibilityInlineMixin
from partnerhub.core.fields import HTTPS_URLS
from partnerhub.organisations import services
from partnerhub.organisations.models import NaceActivity, Organisation, Person


@admin.register(NaceActivity)
class NaceActivityAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_de", "name_zh", "level"]
    list_filter = ["level", "section"]
    search_fields = ["code", "name_en", "name_de", "name_zh"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PersonInline(VisibilityInlineMixin, admin.StackedInline):
    model = Person
    extra = 0
    fields = [
        "family_name",
        "given_name",
        "name_latin",
        "title",
        "role",
        "languages",
        "email",
        "phone",
        "consent",
    ]


@admin.register(Organisation)
class OrganisationAdmin(VisibilityAdminMixin, I18nModelAdmin):
    formfield_overrides = HTTPS_URLS
    list_display = ["name", "name_latin", "kind", "region", "size_class_computed", "is_public"]
    list_filter = ["kind", "country", "is_public", "size_class_computed"]
    search_fields = ["name", "name_latin", "search_document"]
    autocomplete_fields = ["region", "sectors", "owner_agency", "shared_with"]
    readonly_fields = ["size_class_computed"]
    fieldsets = (
        (None, {"fields": ("slug", "name", "name_latin", "name_translations", "kind", "owner_agency")}),
        (_("Address"), {"fields": ("region", "street", "postal_code", "city", "country", "website")}),
        (_("Profile"), {"fields": ("description", "sectors", "keywords", "technologies", "founded")}),
        (
            _("Size"),
            {
                "fields": (
                    "headcount",
                    "turnover_eur",
                    "balance_sheet_eur",
                    "size_class_computed",
                    "size_class_override",
                )
            },
        ),
        (_("Visibility"), {"fields": ("is_public", "shared_with")}),
    )

    def save_model(self, request, obj, form, change):
        # Sectors are saved with the related fields below; the service indexes them afterwards.
        services.save_organisation(obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_search_document(form.instance)


@admin.register(Person)
class PersonAdmin(VisibilityAdminMixin, I18nModelAdmin):
    list_display = ["__str__", "name_latin", "organisation", "email", "consent"]
    list_filter = ["consent"]
    search_fields = ["family_name", "given_name", "name_latin", "email"]
    autocomplete_fields = ["organisation"]

    def save_model(self, request, obj, form, change):
        services.save_person(obj, actor=request.user)
