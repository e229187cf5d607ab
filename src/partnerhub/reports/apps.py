from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """What staff read out of the programme: the dashboard and the exports."""

    name = "partnerhub.reports"
    label = "reports"
    verbose_name = _("Reports")
