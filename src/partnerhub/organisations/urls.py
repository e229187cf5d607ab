from django.urls import path

from partnerhub.organisations import staff_views, views

app_name = "organisations"
urlpatterns = [
    path("", views.directory, name="directory"),
    # The staff workspace (staff_views.py); fixed words before <slug> so no short name shadows them.
    path("new/", staff_views.organisation_create, name="create"),
    path("duplicates/", staff_views.duplicate_pairs, name="duplicates"),
    path("people/<int:pk>/edit/", staff_views.person_edit, name="person_edit"),
    path("people/<int:pk>/merge/", staff_views.person_merge, name="person_merge"),
    path("<slug:slug>/edit/", staff_views.organisation_edit, name="edit"),
    path("<slug:slug>/duplicates/", staff_views.organisation_duplicates, name="duplicates_of"),
    path("<slug:slug>/merge/", staff_views.organisation_merge, name="merge"),
    path("<slug:slug>/people/new/", staff_views.person_create, name="person_create"),
    path("<slug:slug>/", views.organisation_detail, name="detail"),
]
