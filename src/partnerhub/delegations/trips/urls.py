"""The staff pages of trips; included into the "delegations" namespace before the trip page itself."""

from django.urls import path

from partnerhub.delegations.trips import edit_views as views

urlpatterns = [
    path("new/", views.trip_create, name="trip_new"),
    path("<slug:slug>/edit/", views.trip_edit, name="trip_edit"),
    path("<slug:slug>/itinerary/", views.itinerary, name="trip_itinerary"),
    path("<slug:slug>/legs/new/", views.leg_edit, name="trip_leg_new"),
    path("<slug:slug>/legs/<int:pk>/", views.leg_edit, name="trip_leg_edit"),
    path("<slug:slug>/legs/<int:pk>/delete/", views.leg_delete, name="trip_leg_delete"),
    path("<slug:slug>/programme/", views.programme, name="trip_programme"),
    path("<slug:slug>/programme/new/", views.item_edit, name="trip_item_new"),
    path("<slug:slug>/programme/<int:pk>/", views.item_edit, name="trip_item_edit"),
    path("<slug:slug>/programme/<int:pk>/delete/", views.item_delete, name="trip_item_delete"),
    path("<slug:slug>/duplicate/", views.duplicate, name="trip_duplicate"),
    path(
        "<slug:slug>/registrations/<int:pk>/move-up/",
        views.registration_move_up,
        name="registration_move_up",
    ),
]
