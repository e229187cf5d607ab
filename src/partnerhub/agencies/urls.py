from django.urls import path

from partnerhub.agencies import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("new/", views.agency_create, name="new"),
    path("<slug:slug>/", views.agency_detail, name="detail"),
    path("<slug:slug>/edit/", views.agency_edit, name="edit"),
    path("<slug:slug>/delete/", views.agency_delete, name="delete"),
]
