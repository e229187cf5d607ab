"""State changes of organisations and persons. Views and the admin call these; nothing else saves them."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partnerhub.accounts.permissions import can_edit, require_save
from partnerhub.core import audit, editing
from partnerhub.core.cache import bump
from partnerhub.core.i18n import all_texts
from partnerhub.engines import smesize
from partnerhub.engines.textsearch import build_document
from partnerhub.engines.transliteration import transliterate, transliterate_person
from partnerhub.organisations import merging
from partnerhub.organisations.models import NaceActivity, Organisation, Person
from partnerhub.privacy.models import PrivacyNotice


def _derive_organisation_fields(org: Organisation, previous_name: str | None) -> None:
    # Regenerate the transliteration when it is empty or was generated from the previous name;
    # a transliteration someone corrected by hand is kept.
    if not org.name_latin or (previous_name is not None and org.name_latin == transliterate(previous_name)):
        org.name_latin = transliterate(org.name)
    computed = smesize.size_class(org.headcount, org.turnover_eur, org.balance_sheet_eur)
    org.size_class_computed = computed.value if computed else ""


def refresh_search_document(org: Organisation) -> None:
    """Rebuild the text the directory search looks in (names, descriptions, sectors in all languages)."""
    sectors = list(org.sectors.all())
    texts: list[str] = [org.name, org.name_latin, org.city, str(org.region.native_name)]
    texts += all_texts(org.name_translations) + all_texts(org.description) + all_texts(org.region.name)
    texts += [str(k) for k in org.keywords] + [str(t) for t in org.technologies]
    for sector in sectors:
        texts += [sector.code, sector.name_en, sector.name_de, sector.name_zh]
    org.search_document = build_document(texts)
    Organisation.objects.filter(pk=org.pk).update(search_document=org.search_document)
    bump("organisations")  # update() sends no signal; the search finds the row by this text


@transaction.atomic
def save_organisation(
    org: Organisation,
    *,
    actor,
    sector_codes: Iterable[str] | None = None,
    shared_agency_ids: Iterable[int] | None = None,
    action: str | None = None,
    version: str | None = None,
) -> Organisation:
    """Create or update an organisation: derive its transliteration and size class, index it, audit it.

    ``version`` is what the editor's form saw (core/editing.py): an organisation saved since is not
    overwritten. ``shared_agency_ids`` replaces the agencies it is shared with (each change audited)."""
    require_save(actor, org)
    editing.ensure_current(org, version)
    created = org.pk is None
    _store_organisation(org, sector_codes)
    if shared_agency_ids is not None:
        _set_sharing(org, set(shared_agency_ids), actor=actor)
    audit.record(
        actor,
        action or ("organisation.created" if created else "organisation.updated"),
        org,
        name=org.name,
        size_class=org.size_class,
    )
    return org


def _store_organisation(org: Organisation, sector_codes: Iterable[str] | None = None) -> None:
    previous_name = None
    if org.pk is not None:
        previous_name = Organisation.objects.filter(pk=org.pk).values_list("name", flat=True).first()
    _derive_organisation_fields(org, previous_name)
    org.full_clean(exclude=["sectors", "shared_with"])
    org.save()
    if sector_codes is not None:
        org.sectors.set(NaceActivity.objects.filter(code__in=list(sector_codes)))
    refresh_search_document(org)


def _set_sharing(org: Organisation, agency_ids: set[int], *, actor) -> None:
    from partnerhub.agencies.models import Agency

    current = set(org.shared_with.values_list("pk", flat=True))
    for agency in Agency.objects.filter(pk__in=agency_ids - current):
        share_organisation(org, agency, actor=actor)
    for agency in Agency.objects.filter(pk__in=current - agency_ids):
        unshare_organisation(org, agency, actor=actor)


@transaction.atomic
def share_organisation(org: Organisation, agency, *, actor) -> None:
    """Share an organisation (and the contacts who agreed to it) with a partner agency."""
    if agency.pk == org.owner_agency_id:
        return
    org.shared_with.add(agency)
    audit.record(actor, "organisation.shared", org, agency=agency.slug)


@transaction.atomic
def unshare_organisation(org: Organisation, agency, *, actor) -> None:
    org.shared_with.remove(agency)
    audit.record(actor, "organisation.unshared", org, agency=agency.slug)


def _consent_data(person: Person) -> dict:
    notice = f"v{person.consent_notice.version}" if person.consent_notice_id else "–"
    return {"consent": person.consent, "notice": notice}


def _apply_consent(person: Person, consent: str, notice: PrivacyNotice | None) -> None:
    """Stamp a consent change with its time and, for an agreement, the privacy notice agreed to."""
    person.consent = consent
    person.consent_changed_at = timezone.now()
    if consent == Person.Consent.GRANTED:
        notice = notice or PrivacyNotice.current()
        if notice is None:
            raise ValidationError(
                {"consent": _("No privacy notice is published yet, so a consent cannot be recorded.")}
            )
        person.consent_notice = notice


@transaction.atomic
def save_person(person: Person, *, actor, version: str | None = None) -> Person:
    """Create or update a contact person. A change of consent is stamped (time, privacy notice) and
    audited as ``person.consent_changed`` besides the save itself."""
    require_save(actor, person)
    editing.ensure_current(person, version)
    created = person.pk is None
    previous = None if created else Person.objects.filter(pk=person.pk).first()
    generated_before = transliterate_person(previous.family_name, previous.given_name) if previous else None
    if not person.name_latin or person.name_latin == generated_before:
        person.name_latin = transliterate_person(person.family_name.strip(), person.given_name.strip())
    consent_changed = (created and person.consent != Person.Consent.UNKNOWN) or (
        previous is not None and previous.consent != person.consent
    )
    if consent_changed:
        _apply_consent(person, person.consent, person.consent_notice if created else None)
    person.full_clean()
    person.save()
    audit.record(actor, "person.created" if created else "person.updated", person, name=person.full_name)
    if consent_changed:
        audit.record(actor, "person.consent_changed", person, **_consent_data(person))
    return person


@transaction.atomic
def record_consent(person: Person, consent: str, *, actor, notice: PrivacyNotice | None = None) -> Person:
    """Record that a person agreed to be contacted (to the current privacy notice unless ``notice`` is
    given), or withdrew that, with the time of the change."""
    if consent not in Person.Consent.values:
        raise ValueError(f"unknown consent state {consent!r}")
    require_save(actor, person)
    if person.consent != consent:
        _apply_consent(person, consent, notice)
        person.save(update_fields=["consent", "consent_changed_at", "consent_notice"])
        audit.record(actor, "person.consent_changed", person, **_consent_data(person))
    return person


def _require_merge(actor, keep, drop) -> None:
    if keep.pk == drop.pk:
        raise ValidationError(_("A record cannot be merged with itself."))
    if actor is not None and not (can_edit(actor, keep) and can_edit(actor, drop)):
        raise PermissionDenied(_("You may merge only records you may edit, both of them."))


@transaction.atomic
def merge_organisations(
    keep: Organisation,
    drop: Organisation,
    choices: dict[str, str] | None = None,
    *,
    actor,
    versions: tuple[str | None, str | None] = (None, None),
) -> Organisation:
    """Merge the duplicate ``drop`` into ``keep`` and delete it.

    ``choices`` names, per field of :data:`merging.ORGANISATION_FIELDS`, the record whose value wins
    ("keep" or "drop"; not named: keep's). Every reference to ``drop`` (found through the model's relations,
    generic ones too, so a new relation is not forgotten) moves to ``keep``; sectors and sharing are united.
    ``versions`` are the two records' versions the merge page showed: a record changed since is refused.
    """
    _require_merge(actor, keep, drop)
    editing.ensure_current(keep, versions[0])
    editing.ensure_current(drop, versions[1])
    keep = Organisation.objects.select_for_update().get(pk=keep.pk)
    drop = Organisation.objects.select_for_update().get(pk=drop.pk)
    taken = merging.apply_choices(keep, drop, merging.ORGANISATION_FIELDS, choices or {})
    if "owner_agency" in taken:
        require_save(actor, keep)
    moved = merging.move_references(Organisation, keep, drop)
    keep.sectors.add(*drop.sectors.all())
    keep.shared_with.add(*drop.shared_with.exclude(pk=keep.owner_agency_id))
    keep.shared_with.remove(keep.owner_agency_id)
    dropped = {"dropped": drop.name, "dropped_slug": drop.slug, "dropped_id": drop.pk}
    drop.delete()
    _store_organisation(keep)
    audit.record(actor, "organisation.merged", keep, taken=sorted(taken), moved=moved, **dropped)
    return keep


@transaction.atomic
def merge_persons(
    keep: Person,
    drop: Person,
    choices: dict[str, str] | None = None,
    *,
    actor,
    versions: tuple[str | None, str | None] = (None, None),
) -> Person:
    """Merge the duplicate contact ``drop`` into ``keep`` (same rules as :func:`merge_organisations`). The
    kept consent is the one chosen; its time and privacy notice come with it."""
    _require_merge(actor, keep, drop)
    editing.ensure_current(keep, versions[0])
    editing.ensure_current(drop, versions[1])
    keep = Person.objects.select_for_update().get(pk=keep.pk)
    drop = Person.objects.select_for_update().get(pk=drop.pk)
    taken = merging.apply_choices(keep, drop, merging.PERSON_FIELDS, choices or {})
    if "consent" in taken:
        keep.consent_changed_at, keep.consent_notice = drop.consent_changed_at, drop.consent_notice
    if "organisation" in taken:
        require_save(actor, keep)
    moved = merging.move_references(Person, keep, drop)
    dropped = {"dropped": drop.full_name, "dropped_id": drop.pk}
    drop.delete()
    keep.full_clean()
    keep.save()
    audit.record(actor, "person.merged", keep, taken=sorted(taken), moved=moved, **dropped)
    return keep
