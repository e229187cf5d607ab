from django.urls import path

from partnerhub.ideas import views

app_name = "ideas"
urlpatterns = [
    path("", views.my_ideas, name="mine"),
    path("submit/<slug:agency_slug>/", views.submit, name="submit"),
    path("submitted/", views.submitted, name="submitted"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("status/<str:token>/", views.status, name="status"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/organisation/", views.create_organisation, name="create_organisation"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
]
