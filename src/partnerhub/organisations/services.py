"""State changes of organisations and persons. Views and the admin call these; nothing else saves them."""

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from partnerhub.accounts.permissions import require_save
from partnerhub.core import audit
from partnerhub.core.i18n import all_texts
from partnerhub.engines import smesize
from partnerhub.engines.textsearch import build_document
from partnerhub.engines.transliteration import transliterate, transliterate_person
from partnerhub.organisations.models import NaceActivity, Organisation, Person


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


@transaction.atomic
def save_organisation(
    org: Organisation, *, actor, sector_codes: Iterable[str] | None = None, action: str | None = None
) -> Organisation:
    """Create or update an organisation: derive its transliteration and size class, index it, audit it."""
    require_save(actor, org)
    created = org.pk is None
    previous_name = None
    if not created:
        previous_name = Organisation.objects.filter(pk=org.pk).values_list("name", flat=True).first()
    _derive_organisation_fields(org, previous_name)
    org.full_clean(exclude=["sectors", "shared_with"])
    org.save()
    if sector_codes is not None:
        org.sectors.set(NaceActivity.objects.filter(code__in=list(sector_codes)))
    refresh_search_document(org)
    audit.record(
        actor,
        action or ("organisation.created" if created else "organisation.updated"),
        org,
        name=org.name,
        size_class=org.size_class,
    )
    return org


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


@transaction.atomic
def save_person(person: Person, *, actor) -> Person:
    require_save(actor, person)
    created = person.pk is None
    if not person.name_latin or not created:
        previous = None if created else Person.objects.filter(pk=person.pk).first()
        generated_before = (
            transliterate_person(previous.family_name, previous.given_name) if previous else None
        )
        if not person.name_latin or person.name_latin == generated_before:
            person.name_latin = transliterate_person(person.family_name, person.given_name)
    if created and person.consent != Person.Consent.UNKNOWN:
        person.consent_changed_at = timezone.now()
    person.full_clean()
    person.save()
    audit.record(actor, "person.created" if created else "person.updated", person, name=person.full_name)
    return person


@transaction.atomic
def record_consent(person: Person, consent: str, *, actor) -> Person:
    """Record that a person agreed to be contacted, or withdrew that, with the time of the change."""
    if consent not in Person.Consent.values:
        raise ValueError(f"unknown consent state {consent!r}")
    if person.consent != consent:
        person.consent = consent
        person.consent_changed_at = timezone.now()
        person.save(update_fields=["consent", "consent_changed_at"])
        audit.record(actor, "person.consent_changed", person, consent=consent)
    return person
