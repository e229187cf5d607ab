from django.urls import path

from partnerhub.inquiries import views

app_name = "inquiries"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/<slug:partnership_slug>/", views.new_inquiry, name="new"),
    path("thanks/", views.thanks, name="thanks"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/close/", views.close, name="close"),
]
