from django.contrib import admin

from partnerhub.core.admin import OperatorOnlyMixin, VisibilityAdminMixin
from partnerhub.matching.models import Embedding, Introduction, LearnedWeights, ReembedRun, Suggestion


@admin.register(Suggestion)
class SuggestionAdmin(VisibilityAdminMixin, admin.ModelAdmin):
    """Read-only: suggestions are reviewed on the review queue, through the services."""

    list_display = ["__str__", "status", "score", "feedback", "model_name", "updated_at"]
    list_filter = ["status", "feedback", "source_type"]
    readonly_fields = [f.name for f in Suggestion._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Introduction)
class IntroductionAdmin(VisibilityAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "state", "requested_by", "interest_at", "forwarded_at", "answered_at"]
    list_filter = ["state"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class _OperatorsReadOnly(OperatorOnlyMixin, admin.ModelAdmin):
    """Embeddings, re-embedding runs and learned weights are platform-wide: operators only, and written by
    the tasks."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Embedding)
class EmbeddingAdmin(_OperatorsReadOnly):
    list_display = ["__str__", "model_name", "dim", "updated_at"]
    list_filter = ["model_name"]
    exclude = ["vector"]


@admin.register(ReembedRun)
class ReembedRunAdmin(_OperatorsReadOnly):
    list_display = ["__str__", "status", "done", "total", "created_at", "finished_at"]


@admin.register(LearnedWeights)
class LearnedWeightsAdmin(_OperatorsReadOnly):
    """Read-only: rows are stored by the refit task (matching/feedback.py), the newest is in force."""

    list_display = ["__str__", "marks", "good", "not_relevant", "fitted_at"]
    readonly_fields = [f.name for f in LearnedWeights._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False  # the rows are the history of what was in force; deleting one would go unaudited
