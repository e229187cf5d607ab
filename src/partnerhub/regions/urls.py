from django.urls import path

from partnerhub.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("new/", views.region_create, name="new"),
    path("<slug:slug>/", views.region_detail, name="detail"),
    path("<slug:slug>/edit/", views.region_edit, name="edit"),
    path("<slug:slug>/delete/", views.region_delete, name="delete"),
]
