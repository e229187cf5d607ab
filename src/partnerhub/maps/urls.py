from django.urls import path

from partnerhub.maps import views

app_name = "maps"
urlpatterns = [
    path("", views.programme_map, name="map"),
]
