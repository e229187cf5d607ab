from allauth.account.admin import EmailAddressAdmin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from partnerhub.accounts.models import User
from partnerhub.core.admin import OperatorOnlyMixin


@admin.register(User)
class UserAdmin(OperatorOnlyMixin, DjangoUserAdmin):
    """Operators only: whoever edits accounts can grant themselves any right (``is_superuser``, groups)."""

    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "agency", "organisation", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "agency"]
    search_fields = ["email", "first_name", "last_name"]
    autocomplete_fields = ["agency", "organisation"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "preferred_language")}),
        (_("Belongs to"), {"fields": ("agency", "organisation")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


# Groups carry permissions, e-mail addresses log people in, tasks run as the platform: operators only.
class GroupAdmin(OperatorOnlyMixin, DjangoGroupAdmin):
    pass


class OperatorEmailAddressAdmin(OperatorOnlyMixin, EmailAddressAdmin):
    pass


class OperatorTaskResultAdmin(OperatorOnlyMixin, DBTaskResultAdmin):
    # The stored path, not django-tasks-db's `task_name`: that one imports the task and binds it to its
    # backend, and fails (a 500 for the whole list) for a row whose task moved, or when the configured
    # backend is no longer the database one (TASKS_BACKEND=immediate after a run with the worker).
    list_display = (
        "id",
        "task_path",
        "status",
        "enqueued_at",
        "started_at",
        "finished_at",
        "priority",
        "queue_name",
    )


for model, model_admin in [
    (Group, GroupAdmin),
    (EmailAddress, OperatorEmailAddressAdmin),
    (DBTaskResult, OperatorTaskResultAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
