from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from partnerhub.core.health import healthz
from partnerhub.core.views import favicon

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # Browsers (and feed readers, PDF viewers) ask for /favicon.ico whatever the page links.
    path("favicon.ico", favicon, name="favicon"),
    path("healthz", healthz, name="healthz"),  # for load balancers: database and task queue, no language
]
urlpatterns += i18n_patterns(
    path("", include("partnerhub.core.urls")),
    path("regions/", include("partnerhub.regions.urls")),
    path("partnerships/", include("partnerhub.partnerships.urls")),
    path("agencies/", include("partnerhub.agencies.urls")),
    path("organisations/", include("partnerhub.organisations.urls")),
    path("ideas/", include("partnerhub.ideas.urls")),
    path("delegations/", include("partnerhub.delegations.urls")),
    path("profiles/", include("partnerhub.profiles.urls")),
    path("inquiries/", include("partnerhub.inquiries.urls")),
    path("matching/", include("partnerhub.matching.urls")),
    path("pipeline/", include("partnerhub.pipeline.urls")),
    path("notifications/", include("partnerhub.notifications.urls")),
    path("dashboard/", include("partnerhub.reports.dashboard.urls")),
    path("exports/", include("partnerhub.reports.exports.urls")),
    path("map/", include("partnerhub.maps.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
)

# 404 and 403 are Django's handlers with our templates; 400 and 500 render without the database.
handler400 = "partnerhub.core.errors.bad_request"
handler500 = "partnerhub.core.errors.server_error"
