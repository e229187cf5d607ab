"""Users and what they belong to; roles follow from those links (see ``visibility``)."""

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from partnerhub.engines.transliteration import format_person_name


class PartnerhubUserManager(UserManager):
    """Users sign in with their e-mail address; the username mirrors it."""

    def _create_user(self, username, email, password, **extra_fields):
        email = self.normalize_email(email or username)
        return super()._create_user(email, email, password, **extra_fields)

    def create_user(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_user(email, email, password, **extra_fields)

    def create_superuser(self, email=None, password=None, **extra_fields):
        extra_fields.pop("username", None)
        return super().create_superuser(email, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in.

    ``agency`` makes the user staff of that agency (a business-development agency at home or a partner
    authority abroad); ``organisation`` makes the user a member of that organisation. A user with neither
    sees only what is public.
    """

    email = models.EmailField(_("e-mail address"), unique=True)
    agency = models.ForeignKey(
        "agencies.Agency",
        verbose_name=_("agency"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    organisation = models.ForeignKey(
        "organisations.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("de", "Deutsch"), ("en", "English"), ("zh-hans", "简体中文")],
        default="en",
    )

    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Berlin",
        help_text=_("Times of events elsewhere are shown in this zone too."),
    )

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = PartnerhubUserManager()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def get_full_name(self) -> str:
        """陈静 for a Chinese name (family name first, no space), "Lea Hoffmann" for a German one."""
        return format_person_name(self.last_name, self.first_name)

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.username = self.email
        super().save(*args, **kwargs)
