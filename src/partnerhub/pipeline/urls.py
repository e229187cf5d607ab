from django.urls import path

from partnerhub.pipeline import views

app_name = "pipeline"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<str:kind>/board/", views.board, name="board"),
    path("<str:kind>/list/", views.item_list, name="list"),
    path("<str:kind>/bulk/", views.bulk, name="bulk"),
    path("<str:kind>/<int:pk>/<str:action>/", views.act, name="act"),
]
