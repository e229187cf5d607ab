from django.contrib import admin

from partnerhub.core.admin import VisibilityAdminMixin
from partnerhub.core.fields import HTTPS_URLS
from partnerhub.ideas.models import IdeaAttachment, ProjectIdea


class AttachmentInline(admin.TabularInline):
    model = IdeaAttachment
    extra = 0
    readonly_fields = ["original_name", "content_type", "size", "uploaded_at"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProjectIdea)
class ProjectIdeaAdmin(VisibilityAdminMixin, admin.ModelAdmin):
    """Read-mostly: the pipeline pages are where ideas are worked on, through the services."""

    formfield_overrides = HTTPS_URLS
    list_display = [
        "title",
        "organisation_name",
        "agency",
        "stage",
        "owner",
        "email_confirmed_at",
        "created_at",
    ]
    list_filter = ["stage", "area", "agency"]
    search_fields = ["title", "organisation_name", "contact_email"]
    inlines = [AttachmentInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False
