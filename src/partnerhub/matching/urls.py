from django.urls import path

from partnerhub.matching import views

app_name = "matching"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("profiles/<int:pk>/", views.profile_suggestions, name="profile"),
    path("ideas/<int:pk>/", views.idea_suggestions, name="idea"),
    path("suggestions/<int:pk>/review/", views.review, name="review"),
    path("suggestions/<int:pk>/feedback/", views.feedback, name="feedback"),
    path("suggestions/<int:pk>/interest/", views.interest, name="interest"),
    path("introductions/", views.introductions, name="introductions"),
    path("introductions/<int:pk>/forward/", views.forward, name="forward"),
    path("introductions/<int:pk>/accept/", views.accept, name="accept"),
    path("introductions/<int:pk>/decline/", views.decline, name="decline"),
    path("reembed/", views.reembed, name="reembed"),
    path("reembed/<int:pk>/", views.reembed_status, name="reembed_status"),
    path("trips/<slug:slug>/suggest-meetings/", views.trip_meetings, name="trip_meetings"),
]
