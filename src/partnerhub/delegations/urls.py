from django.urls import include, path

from partnerhub.delegations.trips import views

app_name = "delegations"
urlpatterns = [
    path("", views.trip_list, name="list"),
    path("", include("partnerhub.delegations.registration.urls")),
    path("", include("partnerhub.delegations.documents.urls")),
    path("", include("partnerhub.delegations.meetings.urls")),
    path("", include("partnerhub.delegations.agenda.urls")),
    path("", include("partnerhub.delegations.trips.urls")),
    path("<slug:slug>/", views.trip_detail, name="detail"),
]
