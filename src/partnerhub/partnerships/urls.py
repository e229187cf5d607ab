from django.urls import include, path

from partnerhub.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("new/", views.partnership_create, name="new"),
    path("<slug:slug>/", views.partnership_detail, name="detail"),
    path("<slug:slug>/edit/", views.partnership_edit, name="edit"),
    path("<slug:slug>/delete/", views.partnership_delete, name="delete"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    path("", include("partnerhub.partnerships.agreements.urls")),
]
