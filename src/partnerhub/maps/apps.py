from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MapsConfig(AppConfig):
    """The map of the programme: partner regions and organisations, drawn offline."""

    name = "partnerhub.maps"
    label = "maps"
    verbose_name = _("Map")
