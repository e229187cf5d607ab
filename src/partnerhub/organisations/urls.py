from django.urls import path

from partnerhub.organisations import views

app_name = "organisations"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
]
