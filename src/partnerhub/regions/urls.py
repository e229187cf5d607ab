from django.urls import path

from partnerhub.regions import views

app_name = "regions"
urlpatterns = [
    path("", views.region_list, name="list"),
    path("<slug:slug>/", views.region_detail, name="detail"),
]
