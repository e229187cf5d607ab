"""Registration for trips; included into the "delegations" namespace, so every name starts with "regist"."""

from django.urls import path

from partnerhub.delegations.registration import questions_views, views

urlpatterns = [
    path("registration/<str:token>/", views.status, name="registration_status"),
    path("registration/<str:token>/cancel/", views.cancel, name="registration_cancel"),
    path("<slug:slug>/register/", views.register, name="register"),
    path("<slug:slug>/registrations/", views.registration_list, name="registration_list"),
    path(
        "<slug:slug>/registrations/<int:pk>/approve/",
        views.decide,
        {"action": "approve"},
        name="registration_approve",
    ),
    path(
        "<slug:slug>/registrations/<int:pk>/decline/",
        views.decide,
        {"action": "decline"},
        name="registration_decline",
    ),
    path("<slug:slug>/questions/", questions_views.question_list, name="question_list"),
    path("<slug:slug>/questions/add/", questions_views.question_add, name="question_add"),
    path("<slug:slug>/questions/<int:pk>/edit/", questions_views.question_edit, name="question_edit"),
    path("<slug:slug>/questions/<int:pk>/move/", questions_views.question_move, name="question_move"),
    path("<slug:slug>/questions/<int:pk>/delete/", questions_views.question_delete, name="question_delete"),
]
