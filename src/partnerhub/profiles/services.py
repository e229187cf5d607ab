"""The life of a cooperation profile: written, reviewed, published, expired, renewed or withdrawn.

Every function checks that the actor may do it (``actor=None`` is the system: tasks, the demo loader),
validates, writes, records the audit entry and queues the e-mails, in one transaction.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.core import audit, editing
from partnerhub.core.cache import bump
from partnerhub.core.i18n import all_texts
from partnerhub.engines.textsearch import build_document
from partnerhub.notifications.services import notify, url_in
from partnerhub.organisations.models import NaceActivity, Organisation
from partnerhub.pipeline import services as pipeline_services
from partnerhub.pipeline.stages import first_stage
from partnerhub.profiles.models import CooperationProfile
from partnerhub.regions.models import Region

Status = CooperationProfile.Status

# What a reviewer approved: changing any of it sends a published profile back to review.
CONTENT_FIELDS = [
    "profile_type",
    "summary",
    "description",
    "keywords",
    "technologies",
    "partnership_kinds",
    "valid_until",
    "visibility",
    "organisation_id",
]
# Changed only by the workflow verbs below and the pipeline services, never by a content save.
STATE_FIELDS = [
    "status",
    "review_note",
    "published_at",
    "reminder_sent_at",
    "created_by_id",
    "stage_id",
    "owner_id",
    "due_date",
    "not_pursued_reason",
]


# --- who may do what ---------------------------------------------------------------------------------


def _allowed(queryset, profile: CooperationProfile) -> bool:
    return queryset.filter(pk=profile.pk).exists()


def _require_reviewer(profile: CooperationProfile, actor) -> None:
    if actor is not None and not _allowed(CooperationProfile.objects.editable_by(actor), profile):
        raise PermissionDenied(_("Only staff of the agency that runs this profile may review it."))


def _require_submitter(profile: CooperationProfile, actor) -> None:
    if actor is not None and not _allowed(CooperationProfile.objects.submittable_by(actor), profile):
        raise PermissionDenied(_("Only the organisation and its agency may change this profile."))


def _is_reviewer(profile: CooperationProfile, actor) -> bool:
    return actor is None or _allowed(CooperationProfile.objects.editable_by(actor), profile)


# --- who is told ---------------------------------------------------------------------------------------


def _agency_recipient(profile: CooperationProfile) -> tuple[list[str], str]:
    """The agency's public address and working language (a unit without an address uses its parent's)."""
    agency = profile.agency
    while agency is not None and not agency.email:
        agency = agency.parent
    if agency is None:
        return [], settings.LANGUAGE_CODE
    return [agency.email], agency.language


def _organisation_recipient(profile: CooperationProfile) -> tuple[list[str], str]:
    """The person who created the profile, in their language; the agency when nobody is known."""
    user = profile.created_by
    if user is not None and user.is_active and user.email:
        return [user.email], user.preferred_language
    return _agency_recipient(profile)


def _notify(recipient: tuple[list[str], str], template: str, profile: CooperationProfile, **extra) -> None:
    emails, language = recipient
    if not emails:
        return
    context = {
        "profile": profile,
        "organisation": profile.organisation,
        "agency": profile.agency,
        "url": url_in(language, "profiles:detail", profile.pk),
        **extra,
    }
    notify(emails, language, f"profile_{template}", context)


# --- derived data --------------------------------------------------------------------------------------


def refresh_search_document(profile: CooperationProfile) -> None:
    """Rebuild the text the profile search looks in: summary, description, tags and sectors in all languages.

    The organisation's name stays out: a public profile of an organisation that is not listed publicly
    must not be found by that organisation's name.
    """
    region = profile.organisation.region
    texts: list[str] = all_texts(profile.summary) + all_texts(profile.description)
    texts += [str(k) for k in profile.keywords] + [str(t) for t in profile.technologies]
    texts += [region.native_name, region.native_name_latin] + all_texts(region.name)
    for sector in profile.sectors.all():
        texts += [sector.code, sector.name_en, sector.name_de, sector.name_zh]
    profile.search_document = build_document(texts)
    CooperationProfile.objects.filter(pk=profile.pk).update(search_document=profile.search_document)
    bump("profiles")  # update() sends no signal; the search finds the row by this text


def _fingerprint(profile: CooperationProfile, sector_codes, region_ids) -> tuple:
    values = []
    for name in CONTENT_FIELDS:
        value = getattr(profile, name)
        value = getattr(value, "data", value)  # a multilingual value: compare the filled-in languages
        if isinstance(value, dict):
            value = {language: text for language, text in value.items() if text}
        values.append(value)
    return (repr(values), tuple(sorted(sector_codes)), tuple(sorted(region_ids)))


def _check_future(valid_until: datetime.date, field: str = "valid_until") -> None:
    if valid_until is None or valid_until <= timezone.localdate():
        raise ValidationError({field: _("The validity date must be in the future.")})


# --- content -------------------------------------------------------------------------------------------


@transaction.atomic
def save_profile(
    profile: CooperationProfile,
    *,
    actor,
    sector_codes: Iterable[str] | None = None,
    target_region_ids: Iterable[int] | None = None,
    version: str | None = None,
) -> CooperationProfile:
    """Create or update a profile's content and index it.

    ``version`` is what the editor's form saw (core/editing.py): a profile saved since is not overwritten.

    A published profile whose content changes goes back to review, unless a reviewer (staff of the
    agency) made the change.
    """
    created = profile.pk is None
    previous = None
    if created:
        editable = Organisation.objects.editable_by(actor) if actor is not None else None
        if editable is not None and not editable.filter(pk=profile.organisation_id).exists():
            raise PermissionDenied(_("You may write profiles only for your own organisation."))
        if getattr(actor, "is_authenticated", False):
            profile.created_by = actor
        profile.status = Status.DRAFT
    else:
        if actor is not None and not _allowed(CooperationProfile.objects.content_editable_by(actor), profile):
            raise PermissionDenied(_("This profile cannot be changed now."))
        editing.ensure_current(profile, version)
        previous = CooperationProfile.objects.get(pk=profile.pk)
        for name in STATE_FIELDS:
            setattr(profile, name, getattr(previous, name))
        if (
            actor is not None
            and profile.organisation_id != previous.organisation_id
            and not Organisation.objects.editable_by(actor).filter(pk=profile.organisation_id).exists()
        ):
            raise PermissionDenied(_("You may write profiles only for your own organisation."))
    if profile.organisation_id is not None:
        profile.agency_id = profile.organisation.owner_agency_id

    if created or profile.valid_until != previous.valid_until:
        _check_future(profile.valid_until)
        profile.reminder_sent_at = None  # a new date deserves a new reminder
    profile.full_clean(exclude=["sectors", "target_regions", "shared_with"])

    old_sectors = [] if created else list(previous.sectors.values_list("code", flat=True))
    old_regions = [] if created else list(previous.target_regions.values_list("pk", flat=True))
    new_sectors = list(sector_codes) if sector_codes is not None else old_sectors
    new_regions = [int(r) for r in target_region_ids] if target_region_ids is not None else old_regions
    back_to_review = (
        previous is not None
        and previous.status == Status.PUBLISHED
        and _fingerprint(previous, old_sectors, old_regions)
        != _fingerprint(profile, new_sectors, new_regions)
        and not _is_reviewer(profile, actor)
    )
    if back_to_review:
        profile.status = Status.IN_REVIEW

    profile.save()
    if sector_codes is not None:
        profile.sectors.set(NaceActivity.objects.filter(code__in=new_sectors))
    if target_region_ids is not None:
        profile.target_regions.set(Region.objects.filter(pk__in=new_regions))
    refresh_search_document(profile)
    audit.record(
        actor,
        "profile.created" if created else "profile.updated",
        profile,
        summary=profile.summary,
        status=profile.status,
    )
    if back_to_review:
        audit.record(actor, "profile.returned_to_review", profile)
        _notify(_agency_recipient(profile), "submitted", profile, changed=True)
    _refresh_later(profile)
    return profile


# --- review --------------------------------------------------------------------------------------------


@transaction.atomic
def submit_for_review(profile: CooperationProfile, *, actor) -> CooperationProfile:
    """A draft, rejected or expired profile goes to the agency for review."""
    _require_submitter(profile, actor)
    if profile.status not in CooperationProfile.SUBMITTABLE_STATUSES:
        raise ValidationError(
            _("Only a draft, a rejected or an expired profile can be submitted for review.")
        )
    _check_future(profile.valid_until)
    profile.status = Status.IN_REVIEW
    profile.save(update_fields=["status", "updated_at"])
    audit.record(actor, "profile.submitted", profile)
    _notify(_agency_recipient(profile), "submitted", profile, changed=False)
    return profile


@transaction.atomic
def publish_profile(profile: CooperationProfile, *, actor) -> CooperationProfile:
    """Agency staff approve a profile: it becomes visible as chosen and enters the agency's pipeline."""
    _require_reviewer(profile, actor)
    if profile.status != Status.IN_REVIEW:
        raise ValidationError(_("Only a profile in review can be published."))
    _check_future(profile.valid_until)
    profile.status = Status.PUBLISHED
    profile.published_at = timezone.now()
    profile.review_note = ""
    profile.save(update_fields=["status", "published_at", "review_note", "updated_at"])
    if profile.stage_id is None:
        pipeline_services.move_to_stage(profile, first_stage(profile.agency), actor=actor)
    audit.record(actor, "profile.published", profile)
    _notify(_organisation_recipient(profile), "published", profile)
    _refresh_later(profile)
    return profile


@transaction.atomic
def reject_profile(profile: CooperationProfile, *, actor, note: str) -> CooperationProfile:
    """Agency staff send a profile back with a note saying what to change."""
    _require_reviewer(profile, actor)
    if profile.status != Status.IN_REVIEW:
        raise ValidationError(_("Only a profile in review can be rejected."))
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": _("Please say why the profile is rejected.")})
    profile.status = Status.REJECTED
    profile.review_note = note
    profile.save(update_fields=["status", "review_note", "updated_at"])
    audit.record(actor, "profile.rejected", profile, note=note)
    _notify(_organisation_recipient(profile), "rejected", profile, note=note)
    return profile


# --- the organisation's decisions -----------------------------------------------------------------------


@transaction.atomic
def withdraw_profile(profile: CooperationProfile, *, actor) -> CooperationProfile:
    """The organisation (or its agency) takes a profile back for good; it is no longer shown."""
    _require_submitter(profile, actor)
    if profile.status == Status.WITHDRAWN:
        raise ValidationError(_("This profile is already withdrawn."))
    old = profile.status
    profile.status = Status.WITHDRAWN
    profile.save(update_fields=["status", "updated_at"])
    audit.record(actor, "profile.withdrawn", profile, old=old)
    # Tell the other side: the agency when the organisation withdraws, the organisation otherwise.
    by_reviewer = actor is not None and _is_reviewer(profile, actor)
    recipient = _organisation_recipient(profile) if by_reviewer else _agency_recipient(profile)
    _notify(recipient, "withdrawn", profile)
    _refresh_later(profile)
    return profile


@transaction.atomic
def renew_profile(profile: CooperationProfile, *, actor, valid_until: datetime.date) -> CooperationProfile:
    """Extend a profile's validity: a published one stays published, an expired one goes to review."""
    _require_submitter(profile, actor)
    if profile.status not in CooperationProfile.RENEWABLE_STATUSES:
        raise ValidationError(_("Only a published or an expired profile can be renewed."))
    _check_future(valid_until)
    old_date, old_status = profile.valid_until, profile.status
    profile.valid_until = valid_until
    profile.reminder_sent_at = None
    if profile.status == Status.EXPIRED:
        profile.status = Status.IN_REVIEW
    profile.save(update_fields=["valid_until", "reminder_sent_at", "status", "updated_at"])
    audit.record(
        actor,
        "profile.renewed",
        profile,
        old=old_date.isoformat(),
        new=valid_until.isoformat(),
        status=profile.status,
    )
    if old_status == Status.EXPIRED:
        _notify(_agency_recipient(profile), "submitted", profile, changed=False)
    _refresh_later(profile)
    return profile


# --- housekeeping (tasks) ------------------------------------------------------------------------------


def _refresh_later(profile) -> None:
    """Matching suggestions follow the profile: refreshed by a background task after commit."""
    from partnerhub.matching.services import schedule_refresh

    schedule_refresh(profile)


def expire_due_profiles(today: datetime.date | None = None) -> int:
    """Published profiles whose validity date has passed become expired; their authors are told."""
    today = today or timezone.localdate()
    count = 0
    due = CooperationProfile.objects.filter(status=Status.PUBLISHED, valid_until__lt=today)
    for profile in due.select_related("agency", "created_by", "organisation"):
        with transaction.atomic():
            profile.status = Status.EXPIRED
            profile.save(update_fields=["status", "updated_at"])
            audit.record(None, "profile.expired", profile, valid_until=profile.valid_until.isoformat())
            _notify(_organisation_recipient(profile), "expired", profile)
            _refresh_later(profile)
        count += 1
    return count


def send_expiry_reminders(today: datetime.date | None = None) -> int:
    """Remind authors, once, that a published profile expires within the configured number of days."""
    today = today or timezone.localdate()
    horizon = today + datetime.timedelta(days=settings.PROFILE_EXPIRY_REMINDER_DAYS)
    due = CooperationProfile.objects.filter(
        status=Status.PUBLISHED,
        valid_until__gte=today,
        valid_until__lte=horizon,
        reminder_sent_at__isnull=True,
    )
    count = 0
    for profile in due.select_related("agency", "created_by", "organisation"):
        with transaction.atomic():
            profile.reminder_sent_at = timezone.now()
            profile.save(update_fields=["reminder_sent_at", "updated_at"])
            audit.record(None, "profile.reminder_sent", profile, valid_until=profile.valid_until.isoformat())
            _notify(
                _organisation_recipient(profile),
                "expiry_reminder",
                profile,
                days=(profile.valid_until - today).days,
            )
        count += 1
    return count
