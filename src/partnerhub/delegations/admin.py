from django.contrib import admin
from i18nfield.admin import I18nModelAdmin

from partnerhub.core.admin import VisibilityAdminMixin, VisibilityInlineMixin
from partnerhub.delegations.models import (
    Delegation,
    DelegationMember,
    ProgrammeItem,
    RegistrationQuestion,
    Stop,
    Table,
    TravelLeg,
)
from partnerhub.delegations.registration import services as registration_services
from partnerhub.delegations.registration.admin import RegistrationQuestionInline  # registers its admins
from partnerhub.delegations.trips import services
from partnerhub.delegations.trips.forms import DelegationForm, ProgrammeItemForm, TravelLegForm


class MemberInline(VisibilityInlineMixin, admin.TabularInline):
    model = DelegationMember
    extra = 0
    autocomplete_fields = ["person"]


class StopInline(VisibilityInlineMixin, admin.TabularInline):
    model = Stop
    extra = 0
    autocomplete_fields = ["region"]


class TravelLegInline(VisibilityInlineMixin, admin.TabularInline):
    model = TravelLeg
    form = TravelLegForm
    fk_name = "delegation"
    extra = 0


class ProgrammeItemInline(VisibilityInlineMixin, admin.StackedInline):
    model = ProgrammeItem
    form = ProgrammeItemForm
    extra = 0


class TableInline(VisibilityInlineMixin, admin.TabularInline):
    model = Table
    extra = 0


@admin.register(Delegation)
class DelegationAdmin(VisibilityAdminMixin, I18nModelAdmin):
    """Staff build a trip here: itinerary, travel legs, programme (times in the place's zone), tables."""

    form = DelegationForm
    list_display = ["__str__", "direction", "start_date", "end_date", "status", "capacity"]
    list_filter = ["direction", "status"]
    search_fields = ["slug", "title"]
    autocomplete_fields = ["partnership", "destinations", "shared_with", "leader"]
    inlines = [
        StopInline,
        TravelLegInline,
        ProgrammeItemInline,
        TableInline,
        RegistrationQuestionInline,
        MemberInline,
    ]

    def save_model(self, request, obj, form, change):
        services.save_delegation(obj, actor=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not RegistrationQuestion:
            return super().save_formset(request, form, formset, change)
        for question in formset.save(commit=False):
            registration_services.save_question(question, actor=request.user)
        for question in formset.deleted_objects:
            question.delete()
