from django.urls import path

from partnerhub.delegations.meetings import setup_views, views

urlpatterns = [
    path("<slug:slug>/meetings/", views.participant, name="meetings_participant"),
    path("<slug:slug>/meetings/request/", views.send_request, name="meetings_request"),
    path("<slug:slug>/meetings/requests/<int:pk>/answer/", views.answer, name="meetings_answer"),
    path("<slug:slug>/meetings/requests/<int:pk>/withdraw/", views.withdraw, name="meetings_withdraw"),
    path("<slug:slug>/meetings/unavailable/", views.unavailable, name="meetings_unavailable"),
    path(
        "<slug:slug>/meetings/unavailable/<int:pk>/remove/",
        views.unavailable_remove,
        name="meetings_unavailable_remove",
    ),
    path("<slug:slug>/meetings/manage/", views.manage, name="meetings_manage"),
    path("<slug:slug>/meetings/manage/suggest/", views.suggest, name="meetings_suggest"),
    path("<slug:slug>/meetings/manage/tables/", views.tables, name="meetings_tables"),
    path("<slug:slug>/meetings/manage/fix/", views.fix, name="meetings_fix"),
    path("<slug:slug>/meetings/manage/meetings/<int:pk>/move/", views.move, name="meetings_move"),
    path("<slug:slug>/meetings/manage/run/", views.run, name="meetings_run"),
    path("<slug:slug>/meetings/manage/runs/<int:pk>/", views.run_status, name="meetings_run_status"),
    path("<slug:slug>/meetings/manage/publish/", views.publish, name="meetings_publish"),
    path("<slug:slug>/meeting-days/", setup_views.meeting_days, name="meeting_days"),
    path("<slug:slug>/meeting-days/add/", setup_views.meeting_day_add, name="meeting_day_add"),
    path("<slug:slug>/meeting-days/length/", setup_views.meeting_length, name="meeting_length"),
    path("<slug:slug>/meeting-days/sessions/<int:pk>/edit/", setup_views.session_edit, name="session_edit"),
    path(
        "<slug:slug>/meeting-days/sessions/<int:pk>/remove/",
        setup_views.session_remove,
        name="session_remove",
    ),
    path("<slug:slug>/meeting-days/tables/add/", setup_views.table_add, name="table_add"),
    path("<slug:slug>/meeting-days/tables/<int:pk>/edit/", setup_views.table_edit, name="table_edit"),
    path("<slug:slug>/meeting-days/tables/<int:pk>/move/", setup_views.table_move, name="table_move"),
    path("<slug:slug>/meeting-days/tables/<int:pk>/remove/", setup_views.table_remove, name="table_remove"),
]
