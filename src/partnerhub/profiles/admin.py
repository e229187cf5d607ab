from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from i18nfield.admin import I18nModelAdmin

from partnerhub.core.admin import VisibilityAdminMixin
from partnerhub.profiles import services
from partnerhub.profiles.models import CooperationProfile


@admin.register(CooperationProfile)
class CooperationProfileAdmin(VisibilityAdminMixin, I18nModelAdmin):
    list_display = ["__str__", "organisation", "profile_type", "status", "visibility", "valid_until", "stage"]
    list_filter = ["status", "profile_type", "visibility"]
    search_fields = ["search_document", "organisation__name", "organisation__name_latin"]
    autocomplete_fields = ["organisation", "sectors", "target_regions"]
    readonly_fields = ["agency", "status", "review_note", "published_at", "reminder_sent_at", "created_by"]
    fieldsets = (
        (None, {"fields": ("organisation", "profile_type", "summary", "description")}),
        (
            _("Profile"),
            {"fields": ("sectors", "keywords", "technologies", "partnership_kinds", "target_regions")},
        ),
        (_("Publication"), {"fields": ("visibility", "valid_until")}),
        (
            _("Review"),
            {"fields": ("status", "review_note", "published_at", "reminder_sent_at", "created_by", "agency")},
        ),
    )
    actions = ["publish_selected"]

    def save_model(self, request, obj, form, change):
        # Sectors and target regions are saved with the related fields below; then the index is rebuilt.
        services.save_profile(obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.refresh_search_document(form.instance)

    @admin.action(description=_("Publish the selected profiles (in review)"))
    def publish_selected(self, request, queryset):
        published = 0
        for profile in queryset:
            try:
                services.publish_profile(profile, actor=request.user)
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, f"{profile}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
            else:
                published += 1
        if published:
            messages.success(request, _("%(count)d profile(s) published.") % {"count": published})
