from django.urls import path, register_converter

from partnerhub.reports.exports import views


class FormatConverter:
    regex = "csv|xlsx"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(FormatConverter, "exportformat")

app_name = "exports"
urlpatterns = [
    path(f"{name}.<exportformat:fmt>", views.download, {"dataset": name}, name=name)
    for name in ("organisations", "persons", "ideas", "my_ideas", "profiles")
] + [
    path(f"trips/<slug:slug>/{name}.<exportformat:fmt>", views.download, {"dataset": name}, name=name)
    for name in ("registrations", "meetings")
]
