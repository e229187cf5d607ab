from django.urls import path

from partnerhub.reports.dashboard import views

app_name = "dashboard"
urlpatterns = [
    path("", views.index, name="index"),
]
