from django.urls import path

from partnerhub.delegations.agenda import views as views_agenda

urlpatterns = [
    path("agenda/<str:token>/", views_agenda.agenda_page, name="agenda"),
    path("calendar/<str:token>.ics", views_agenda.agenda_calendar, name="agenda_calendar"),
]
