from django.contrib import admin
from django.core.exceptions import ValidationError
from i18nfield.admin import I18nModelAdmin

from partnerhub.core import audit
from partnerhub.core.admin import VisibilityAdminMixin, VisibilityInlineMixin
from partnerhub.partnerships import services
from partnerhub.partnerships.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    Partnership,
    Signatory,
)


@admin.register(Partnership)
class PartnershipAdmin(VisibilityAdminMixin, I18nModelAdmin):
    list_display = ["__str__", "agency", "partner_region", "status", "is_public"]
    list_filter = ["status", "is_public"]
    search_fields = ["slug", "title"]
    autocomplete_fields = ["agency", "home_region", "partner_region", "owner", "contact", "shared_with"]

    def save_model(self, request, obj, form, change):
        services.save_partnership(obj, actor=request.user)


class PartyInline(VisibilityInlineMixin, admin.TabularInline):
    model = AgreementParty
    extra = 0
    autocomplete_fields = ["region", "agency"]


class SignatoryInline(VisibilityInlineMixin, admin.TabularInline):
    model = Signatory
    extra = 0


class DocumentInline(VisibilityInlineMixin, admin.TabularInline):
    model = AgreementDocument
    extra = 0

    def get_queryset(self, request):
        # A document has its own audience (an agency-only scan on a shared agreement): the same rule as the pages.
        return (
            super()
            .get_queryset(request)
            .filter(pk__in=AgreementDocument.objects.visible_to(request.user).values("pk"))
        )

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        form = formset.form
        original_clean = form.clean_file if hasattr(form, "clean_file") else None

        def clean_file(self):
            uploaded = self.cleaned_data.get("file")
            if uploaded is not None and hasattr(uploaded, "content_type"):
                try:
                    services.check_document(uploaded)
                except ValidationError as exc:
                    raise ValidationError(exc.messages) from exc
            return original_clean(self) if original_clean else uploaded

        form.clean_file = clean_file
        return formset


@admin.register(Agreement)
class AgreementAdmin(VisibilityAdminMixin, I18nModelAdmin):
    list_display = ["__str__", "kind", "partnership", "signed_on", "status", "is_public"]
    list_filter = ["kind", "status", "is_public"]
    search_fields = ["title"]
    autocomplete_fields = ["partnership", "shared_with"]
    inlines = [PartyInline, SignatoryInline, DocumentInline]

    def save_model(self, request, obj, form, change):
        services.save_agreement(obj, actor=request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        changed = sorted({fs.model._meta.model_name for fs in formsets if fs.has_changed()})
        if changed:
            audit.record(request.user, "agreement.details_changed", form.instance, parts=changed)
