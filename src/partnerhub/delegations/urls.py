from django.urls import include, path

from partnerhub.delegations import views

app_name = "delegations"
urlpatterns = [
    path("", views.trip_list, name="list"),
    path("", include("partnerhub.delegations.urls_registration")),
    path("", include("partnerhub.delegations.urls_documents")),
    path("", include("partnerhub.delegations.urls_meetings")),
    path("", include("partnerhub.delegations.urls_agenda")),
    path("<slug:slug>/", views.trip_detail, name="detail"),
]
