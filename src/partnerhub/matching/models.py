"""Matching: stored vectors, suggestions with their explanation, introductions and re-embedding runs.

A suggestion points from a source (a cooperation profile or a project idea) to a target profile. The agency
and organisation of both ends are copied onto the row, because generic relations cannot be filtered in SQL
and every visibility rule here is about agencies and organisations.
"""

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from partnerhub.accounts.visibility import NOTHING, Viewer, VisibleQuerySet


class Embedding(models.Model):
    """One document vector of one item for one model; several models may coexist while switching."""

    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    model_name = models.CharField(_("model"), max_length=200)
    dim = models.PositiveIntegerField(_("dimension"))
    vector = models.BinaryField(_("vector"))
    text_hash = models.CharField(max_length=64)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("embedding")
        verbose_name_plural = _("embeddings")
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id", "model_name"], name="one_embedding_per_target_and_model"
            )
        ]
        # The vector store compares its copy with (count, latest updated_at) of one model before each
        # search: an index-only question with this index.
        indexes = [models.Index(fields=["model_name", "updated_at"], name="embedding_model_updated")]

    def __str__(self) -> str:
        return f"{self.target_type.model} {self.target_id} ({self.model_name}, {self.dim})"

    def as_array(self) -> np.ndarray:
        """The vector as float32; a stored dimension that disagrees with the bytes is an error, not a guess."""
        array = np.frombuffer(bytes(self.vector), dtype=np.float32)
        if array.shape[0] != self.dim:
            raise ValueError(
                f"Embedding {self.pk}: {array.shape[0]} values stored, dimension says {self.dim}"
            )
        return array


class SuggestionQuerySet(VisibleQuerySet):
    def reviewable_by(self, user) -> "SuggestionQuerySet":
        """Suggestions the user reviews: staff of the agency family that runs the source item."""
        return self.editable_by(user)


class Suggestion(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("new")
        ACCEPTED = "accepted", _("accepted")
        DISMISSED = "dismissed", _("dismissed")

    source_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    source_id = models.PositiveBigIntegerField()
    source = GenericForeignKey("source_type", "source_id")
    target_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    target_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("target_type", "target_id")
    # Copied from both ends for visibility (see the module docstring).
    source_agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    source_organisation = models.ForeignKey(
        "organisations.Organisation", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_agency = models.ForeignKey("agencies.Agency", on_delete=models.CASCADE, related_name="+")
    target_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("score"))
    # The score calibrated to 0–100 ("fit"): the same number means the same across languages and kinds.
    fit = models.PositiveSmallIntegerField(_("fit"), null=True, blank=True)
    model_name = models.CharField(_("model"), max_length=200, blank=True)
    parts = models.JSONField(_("parts of the score"), default=dict, blank=True)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    explanation = models.JSONField(_("explanation"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.NEW)
    dismiss_reason = models.TextField(_("reason for dismissing"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    feedback = models.BooleanField(_("useful"), null=True, blank=True)
    feedback_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    feedback_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = SuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("suggestion")
        verbose_name_plural = _("suggestions")
        ordering = ["-score", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "target_type", "target_id"],
                name="one_suggestion_per_pair",
            )
        ]
        indexes = [models.Index(fields=["source_type", "source_id"])]

    def __str__(self) -> str:
        return f"{self.source_type.model} {self.source_id} → {self.target_id} ({self.score:.2f})"

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        """Staff: suggestions for their family's items, and accepted ones pointing at them (for introductions).

        Members see only accepted suggestions for their own organisation's items: what staff have not
        reviewed yet may be wrong, and a dismissed one must not reach them.
        """
        if viewer.is_agency_staff:
            family = viewer.agency_family
            return Q(source_agency_id__in=family) | Q(target_agency_id__in=family, status=cls.Status.ACCEPTED)
        if viewer.organisation_id is not None:
            # The target must be visible to the member too: an agency accepting a suggestion does not
            # widen who may read a profile shared only among agencies.
            from partnerhub.profiles.models import CooperationProfile

            readable = CooperationProfile.objects.filter(CooperationProfile.visibility_q(viewer)).values("pk")
            return Q(
                source_organisation_id=viewer.organisation_id,
                status=cls.Status.ACCEPTED,
                target_type__model="cooperationprofile",  # idea targets are for staff: members see own ideas only
                target_id__in=readable,
            )
        return NOTHING

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return Q(source_agency_id__in=viewer.agency_family) if viewer.is_agency_staff else NOTHING


class IntroductionQuerySet(VisibleQuerySet):
    pass


class Introduction(models.Model):
    """Double opt-in: one side is interested, the other side's agency forwards, the other side accepts."""

    class Side(models.TextChoices):
        SOURCE = "source", _("the suggestion's own side")
        TARGET = "target", _("the suggested partner's side")

    class State(models.TextChoices):
        INTEREST_EXPRESSED = "interest_expressed", _("interest expressed")
        FORWARDED = "forwarded", _("forwarded")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")

    suggestion = models.OneToOneField(Suggestion, on_delete=models.CASCADE, related_name="introduction")
    requested_by = models.CharField(_("requested by"), max_length=10, choices=Side.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.INTEREST_EXPRESSED
    )
    interest_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    interest_at = models.DateTimeField(_("interest expressed"), auto_now_add=True)
    forwarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    forwarded_at = models.DateTimeField(_("forwarded"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = IntroductionQuerySet.as_manager()

    class Meta:
        verbose_name = _("introduction")
        verbose_name_plural = _("introductions")
        ordering = ["-interest_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.suggestion} {self.state}"

    @classmethod
    def visibility_q(cls, viewer: Viewer) -> Q:
        """Both agencies and both organisations involved."""
        if viewer.is_agency_staff:
            family = viewer.agency_family
            return Q(suggestion__source_agency_id__in=family) | Q(suggestion__target_agency_id__in=family)
        if viewer.organisation_id is not None:
            org = viewer.organisation_id
            return Q(suggestion__source_organisation_id=org) | Q(suggestion__target_organisation_id=org)
        return NOTHING

    @classmethod
    def editable_q(cls, viewer: Viewer) -> Q:
        return cls.visibility_q(viewer) if viewer.is_agency_staff else NOTHING

    @property
    def receiving_side(self) -> str:
        """The side that is asked: the opposite of the one that expressed interest."""
        return self.Side.TARGET if self.requested_by == self.Side.SOURCE else self.Side.SOURCE

    @property
    def contacts_exchanged(self) -> bool:
        """Contact details are shown only once the asked side accepted (double opt-in)."""
        return self.state == self.State.ACCEPTED


class ReembedRun(models.Model):
    """One background re-embedding of every item with a model, with its progress for the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    model_name = models.CharField(_("model"), max_length=200)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("re-embedding run")
        verbose_name_plural = _("re-embedding runs")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.model_name} {self.done}/{self.total} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)


class LearnedWeights(models.Model):
    """One refit of the structured part's weights from the feedback marks (matching/feedback.py).

    The newest row is in force (``feedback.current_weights``); older rows stay as the history of what was
    learned from which marks. ``before``/``after`` are the figures on the marks themselves
    (``engines.matching.learning.Figures``: AUC and log loss) under the hand-set and the learned weights.
    """

    weights = models.JSONField(_("weights"))
    marks = models.PositiveIntegerField(_("marks used"))
    good = models.FloatField(_("good matches"), default=0)
    not_relevant = models.FloatField(_("not relevant"), default=0)
    before = models.JSONField(_("figures with the hand-set weights"), default=dict)
    after = models.JSONField(_("figures with the learned weights"), default=dict)
    fitted_at = models.DateTimeField(_("fitted"), auto_now_add=True)

    class Meta:
        verbose_name = _("learned weights")
        verbose_name_plural = _("learned weights")
        ordering = ["-fitted_at", "-pk"]
        get_latest_by = ["fitted_at", "pk"]

    def __str__(self) -> str:
        return f"{self.fitted_at:%Y-%m-%d %H:%M} ({self.marks})"
