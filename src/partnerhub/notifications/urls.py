from django.urls import path

from partnerhub.notifications import views

app_name = "notifications"

urlpatterns = [
    path("settings/", views.settings_page, name="settings"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("outbox/", views.outbox_page, name="outbox"),
    path("outbox/<int:pk>/resend/", views.outbox_resend, name="outbox_resend"),
    path("outbox/resend-failed/", views.outbox_resend_failed, name="outbox_resend_failed"),
]
