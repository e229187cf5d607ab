"""The admin obeys the same visibility rules as every page: ``visible_to`` and ``editable_by``."""


class VisibilityAdminMixin:
    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if not allowed or obj is None or request.user.is_superuser:
            return allowed
        return type(obj).objects.editable_by(request.user).filter(pk=obj.pk).exists()
