from django.urls import path

from partnerhub.delegations.documents import views

urlpatterns = [
    path("<slug:slug>/documents/", views.documents_index, name="documents_index"),
    path("<slug:slug>/documents/badges.pdf", views.badges_pdf, name="documents_badges"),
    path("<slug:slug>/documents/participants.xlsx", views.participants_xlsx, name="documents_participants"),
    path("<slug:slug>/documents/letters/<int:pk>.pdf", views.invitation_letter, name="documents_letter"),
]
