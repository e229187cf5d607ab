"""Who may see what: the one place that decides.

Every model that is not public for everyone inherits :class:`VisibleQuerySet` through its manager and
defines ``visibility_q(viewer)``. Views, the admin, exports and the API all go through
``Model.objects.visible_to(user)``; nothing filters by role anywhere else.

Roles follow from a user's links:
- superuser: everything;
- agency staff: the user's agency (and the units of the same agency family) owns the record — full access;
- partner-agency staff: the same kind of user, seen from a record another agency owns — access only to
  records explicitly shared with their agency;
- organisation member: their own organisation, and what is public;
- anonymous public: what is public.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Q


@dataclass(frozen=True)
class Viewer:
    is_authenticated: bool = False
    is_superuser: bool = False
    user_id: int | None = None
    agency_id: int | None = None
    agency_family: frozenset[int] = field(default_factory=frozenset)
    organisation_id: int | None = None

    @property
    def is_agency_staff(self) -> bool:
        return self.agency_id is not None

    @property
    def role(self) -> str:
        if self.is_superuser:
            return "superuser"
        if self.is_agency_staff:
            return "agency_staff"
        if self.organisation_id is not None:
            return "organisation_member"
        if self.is_authenticated:
            return "user"
        return "anonymous"


ANONYMOUS = Viewer()


def viewer_for(user) -> Viewer:
    """The facts about ``user`` that visibility rules need, computed once per request and cached."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return ANONYMOUS
    cached = getattr(user, "_partnerhub_viewer", None)
    if cached is not None:
        return cached
    family: frozenset[int] = frozenset()
    if user.agency_id:
        family = frozenset(user.agency.family_ids())
    viewer = Viewer(
        is_authenticated=True,
        is_superuser=user.is_superuser,
        user_id=user.pk,
        agency_id=user.agency_id,
        agency_family=family,
        organisation_id=user.organisation_id,
    )
    user._partnerhub_viewer = viewer
    return viewer


class VisibleQuerySet(models.QuerySet):
    def visible_to(self, user) -> VisibleQuerySet:
        viewer = user if isinstance(user, Viewer) else viewer_for(user)
        if viewer.is_superuser:
            return self.all()
        return self.filter(self.model.visibility_q(viewer))

    def editable_by(self, user) -> VisibleQuerySet:
        """Records the user may change: those owned by their agency family (superusers: all)."""
        viewer = user if isinstance(user, Viewer) else viewer_for(user)
        if viewer.is_superuser:
            return self.all()
        return self.filter(self.model.editable_q(viewer))


def shared_with_q(model: type[models.Model], viewer: Viewer, prefix: str = "") -> Q:
    """Records explicitly shared with the viewer's agency, through the model's ``shared_with`` M2M."""
    if viewer.agency_id is None:
        return Q(pk__in=[])
    through = model.shared_with.through
    source = model._meta.model_name
    ids = through.objects.filter(agency_id=viewer.agency_id).values(f"{source}_id")
    return Q(**{f"{prefix}pk__in": ids})


NOTHING = Q(pk__in=[])
