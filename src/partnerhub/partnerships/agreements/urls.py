"""Staff pages of agreements, in the "partnerships" namespace (included by partnerships/urls.py)."""

from django.urls import path

from partnerhub.partnerships.agreements import views

urlpatterns = [
    path("<slug:slug>/agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path("agreements/<int:pk>/documents/new/", views.agreement_document_add, name="agreement_document_add"),
    path("documents/<int:pk>/edit/", views.agreement_document_edit, name="agreement_document_edit"),
    path(
        "documents/<int:pk>/versions/new/",
        views.agreement_document_version_add,
        name="agreement_document_version_add",
    ),
    path("documents/versions/<int:pk>/", views.agreement_document_version, name="agreement_document_version"),
]
