from django.urls import path

from partnerhub.partnerships import views

app_name = "partnerships"
urlpatterns = [
    path("", views.partnership_list, name="list"),
    path("<slug:slug>/", views.partnership_detail, name="detail"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement"),
    path("documents/<int:pk>/", views.document_download, name="document"),
]
