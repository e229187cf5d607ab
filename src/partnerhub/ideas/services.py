"""The life of a project idea: submitted on a public form, confirmed by e-mail, run by the agency."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from partnerhub.core import audit
from partnerhub.core.uploads import check_attachments, check_upload
from partnerhub.engines.scripts import has_han
from partnerhub.engines.transliteration import split_chinese_name, transliterate
from partnerhub.ideas.models import IdeaAttachment, ProjectIdea
from partnerhub.notifications.services import notify, url_in
from partnerhub.organisations import services as organisation_services
from partnerhub.organisations.dedupe import find_duplicates
from partnerhub.organisations.models import Organisation, Person
from partnerhub.pipeline.models import Comment
from partnerhub.pipeline.stages import first_stage
from partnerhub.privacy.models import PrivacyNotice

IDEA_FIELDS = [
    "title", "description", "area", "partner_sought", "join_delegation", "delegation", "organisation_name",
    "organisation_kind", "organisation_website", "organisation_city", "organisation_country", "contact_name",
    "contact_role", "contact_email", "contact_phone",
]  # fmt: skip


def _attach(idea: ProjectIdea, uploaded) -> IdeaAttachment:
    content_type = check_upload(uploaded)
    attachment = IdeaAttachment(
        idea=idea, original_name=uploaded.name[:200], content_type=content_type, size=uploaded.size
    )
    attachment.file.save(uploaded.name, uploaded, save=False)
    attachment.save()
    return attachment


def _check_waiting_bytes(email: str, files) -> None:
    """Bound what an address nobody has confirmed can make us keep: the files of all its unconfirmed ideas.

    Without it, a script could submit idea after idea with attachments in someone else's name; they stay
    for UNCONFIRMED_SUBMISSION_DAYS. Once the address is confirmed its ideas no longer count here.
    """
    new = sum(uploaded.size for uploaded in files)
    if not new:
        return
    limit = settings.MAX_UNCONFIRMED_BYTES_PER_ADDRESS
    waiting = (
        IdeaAttachment.objects.filter(
            idea__email_confirmed_at__isnull=True, idea__contact_email__iexact=email.strip()
        ).aggregate(total=Sum("size"))["total"]
        or 0
    )
    if waiting + new > limit:
        raise ValidationError(
            _(
                "Ideas from this e-mail address that are not yet confirmed may hold at most %(mb)s MB of "
                "files together. Please confirm your address with the link we sent you; you can then add "
                "these files on your idea's page."
            )
            % {"mb": f"{limit / 1024 / 1024:g}"}
        )


def submit_idea(*, agency, data: dict, files=(), language: str, submission_key) -> tuple[ProjectIdea, bool]:
    """Record a public submission and send the confirmation e-mail (double opt-in).

    The form's submission key makes a double-click or a re-posted form return the idea created first.
    """
    existing = ProjectIdea.objects.filter(submission_key=submission_key).first()
    if existing is not None:
        return existing, False
    check_attachments(files)  # reject before anything is written
    _check_waiting_bytes(data.get("contact_email", ""), files)
    try:
        with transaction.atomic():
            idea = ProjectIdea(
                agency=agency,
                language=language,
                submission_key=submission_key,
                privacy_notice=PrivacyNotice.current(),
                consent_given_at=timezone.now(),
                **{name: data[name] for name in IDEA_FIELDS if name in data},
            )
            idea.full_clean(exclude=["shared_with", "target_regions"])
            idea.save()
            idea.target_regions.set(data.get("target_regions") or [])
            for uploaded in files:
                _attach(idea, uploaded)
            audit.record(None, "idea.submitted", idea, language=language, attachments=len(files))
            notify(
                idea.contact_email,
                language,
                "idea_confirm",
                {
                    "idea": idea,
                    "confirm_url": url_in(language, "ideas:confirm", idea.confirmation_token),
                    "status_url": url_in(language, "ideas:status", idea.access_token),
                    "days": settings.UNCONFIRMED_SUBMISSION_DAYS,
                },
            )
    except IntegrityError:
        # The same form posted twice at the same moment: the other request created it.
        existing = ProjectIdea.objects.filter(submission_key=submission_key).first()
        if existing is None:
            raise
        return existing, False
    return idea, True


@transaction.atomic
def confirm_idea(token: str) -> ProjectIdea | None:
    """The submitter clicked the link: the idea enters the agency's inbox at the first stage."""
    idea = ProjectIdea.objects.select_for_update().filter(confirmation_token=token).first()
    if idea is None or idea.is_confirmed:
        return idea
    idea.email_confirmed_at = timezone.now()
    idea.stage = first_stage(idea.agency)
    idea.save(update_fields=["email_confirmed_at", "stage", "updated_at"])
    audit.record(None, "idea.confirmed", idea)
    from partnerhub.matching.services import schedule_refresh

    schedule_refresh(idea)
    if idea.agency.email:
        notify(
            idea.agency.email,
            idea.agency.language,
            "idea_new_for_agency",
            {"idea": idea, "url": url_in(idea.agency.language, "ideas:detail", idea.pk)},
            reply_to=[idea.contact_email],
        )
    return idea


def purge_unconfirmed(now: datetime.datetime | None = None) -> int:
    """Delete ideas whose address was never confirmed within the configured days (with their files)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.UNCONFIRMED_SUBMISSION_DAYS)
    stale = ProjectIdea.objects.filter(email_confirmed_at__isnull=True, created_at__lt=cutoff)
    count = 0
    for idea in stale:
        with transaction.atomic():
            for attachment in idea.attachments.all():
                attachment.file.delete(save=False)
            audit.record(None, "idea.purged_unconfirmed", idea)
            idea.delete()
            count += 1
    return count


@transaction.atomic
def add_submitter_information(idea: ProjectIdea, text: str, files=()) -> Comment | None:
    """The submitter adds information through their personal link: a note and/or attachments."""
    if not idea.is_confirmed:
        raise ValidationError(_("Please confirm your e-mail address first."))
    text = text.strip()
    if not text and not files:
        raise ValidationError(_("Please write something or attach a file."))
    check_attachments(files)
    from django.contrib.contenttypes.models import ContentType

    comment = None
    if text:
        comment = Comment.objects.create(
            target_type=ContentType.objects.get_for_model(idea),
            target_id=idea.pk,
            from_submitter=True,
            body=text,
        )
    for uploaded in files:
        _attach(idea, uploaded)
    audit.record(None, "idea.information_added", idea, attachments=len(files), note=bool(text))
    recipient = idea.owner.email if idea.owner else idea.agency.email
    language = idea.owner.preferred_language if idea.owner else idea.agency.language
    if recipient:
        notify(
            recipient,
            language,
            "idea_information_added",
            {"idea": idea, "url": url_in(language, "ideas:detail", idea.pk)},
        )
    return comment


def _unique_slug(base: str) -> str:
    base = slugify(base)[:70] or "organisation"
    slug, n = base, 2
    while Organisation.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


@transaction.atomic
def create_organisation_from_idea(
    idea: ProjectIdea, *, actor, region, use_existing: Organisation | None = None
):
    """One step from a submission to a directory entry with its contact, never creating a duplicate.

    ``use_existing`` links an organisation staff picked among the duplicates; otherwise a duplicate
    found by name (any script), website or e-mail domain stops the creation.
    """
    if actor is not None and not ProjectIdea.objects.editable_by(actor).filter(pk=idea.pk).exists():
        raise PermissionDenied(_("Only staff of the agency that runs this idea may do this."))
    if use_existing is None:
        duplicates = find_duplicates(idea.organisation_name, idea.organisation_website, idea.contact_email)
        if duplicates:
            names = ", ".join(c.organisation.name for c in duplicates)
            raise ValidationError(_("This organisation may already exist: %(names)s.") % {"names": names})
        organisation = organisation_services.save_organisation(
            Organisation(
                slug=_unique_slug(transliterate(idea.organisation_name)),
                name=idea.organisation_name,
                kind=idea.organisation_kind,
                region=region,
                city=idea.organisation_city,
                country=idea.organisation_country,
                website=idea.organisation_website,
                owner_agency=idea.agency,
            ),
            actor=actor,
        )
    else:
        organisation = use_existing
    if has_han(idea.contact_name):
        family, given = split_chinese_name(idea.contact_name.replace(" ", ""))
    else:
        *given_parts, family = idea.contact_name.split() or [idea.contact_name]
        given = " ".join(given_parts)
    if not organisation.people.filter(email__iexact=idea.contact_email).exists():
        organisation_services.save_person(
            Person(
                organisation=organisation,
                family_name=family,
                given_name=given,
                role={idea.language: idea.contact_role} if idea.contact_role else {},
                email=idea.contact_email,
                phone=idea.contact_phone,
                languages=[idea.language.split("-")[0]],
                consent=Person.Consent.GRANTED,
            ),
            actor=actor,
        )
    idea.organisation = organisation
    idea.save(update_fields=["organisation", "updated_at"])
    idea.linked_organisations.add(organisation)
    audit.record(
        actor, "idea.organisation_linked", idea, organisation=organisation.pk, created=use_existing is None
    )
    from partnerhub.matching.services import schedule_refresh

    schedule_refresh(idea)  # linked to the directory, the idea may now be suggested to others
    return organisation
