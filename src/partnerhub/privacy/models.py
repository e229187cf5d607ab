"""Versioned privacy notices: a consent always names the version the person agreed to."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from i18nfield.fields import I18nTextField


class PrivacyNotice(models.Model):
    version = models.PositiveIntegerField(_("version"), unique=True)
    text = I18nTextField(_("text"))
    published_at = models.DateTimeField(_("published"), auto_now_add=True)

    class Meta:
        verbose_name = _("privacy notice")
        verbose_name_plural = _("privacy notices")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"

    @classmethod
    def current(cls) -> "PrivacyNotice":
        return cls.objects.order_by("-version").first()
