"""Finding an organisation that is already in the directory before creating it again."""

from dataclasses import dataclass, field

from partnerhub.core.i18n import all_texts
from partnerhub.engines.dedupe import company_name_key, domain_of, is_telling_domain
from partnerhub.organisations.models import Organisation, Person


@dataclass
class Candidate:
    organisation: Organisation
    reasons: list[str] = field(default_factory=list)


def find_duplicates(name: str, website: str = "", email: str = "") -> list[Candidate]:
    """Organisations with the same name in any script, the same website, or the e-mail's domain."""
    from django.utils.translation import gettext as _

    key = company_name_key(name)
    site = domain_of(website)
    mail = domain_of(email)
    found: dict[int, Candidate] = {}

    def add(org: Organisation, reason: str) -> None:
        candidate = found.setdefault(org.pk, Candidate(org))
        if reason not in candidate.reasons:
            candidate.reasons.append(reason)

    for org in Organisation.objects.only("pk", "name", "name_latin", "name_translations", "website", "slug"):
        names = [org.name, org.name_latin, *all_texts(org.name_translations)]
        if key and any(company_name_key(n) == key for n in names if n):
            add(org, _("same name"))
        org_site = domain_of(org.website)
        if site and is_telling_domain(site) and org_site == site:
            add(org, _("same website"))
        if mail and is_telling_domain(mail) and org_site == mail:
            add(org, _("e-mail domain is the website's"))
    if mail and is_telling_domain(mail):
        for person in Person.objects.filter(email__iendswith="@" + mail).select_related("organisation"):
            add(person.organisation, _("a contact has the same e-mail domain"))
    return list(found.values())


def duplicates_of(org: Organisation) -> list[Candidate]:
    """Likely duplicates of an organisation already in the directory: any of its names (own script,
    transliteration, translations), its website, or its contacts' e-mail domains."""
    names = {org.name, org.name_latin, *all_texts(org.name_translations)} - {""}
    mails = set(org.people.exclude(email="").values_list("email", flat=True)) if org.pk else set()
    found: dict[int, Candidate] = {}
    searches = [(name, org.website, "") for name in names] + [("", "", mail) for mail in mails]
    for name, website, email in searches:
        for candidate in find_duplicates(name, website, email):
            if candidate.organisation.pk == org.pk:
                continue
            kept = found.setdefault(candidate.organisation.pk, candidate)
            kept.reasons += [r for r in candidate.reasons if r not in kept.reasons]
    return list(found.values())


def candidate_pairs(organisations) -> list[tuple[Organisation, Organisation, list[str]]]:
    """Pairs among ``organisations`` (a queryset) that are likely the same organisation: the same name key
    in any script or the same telling website domain. One pass over the rows, grouped by key."""
    from django.utils.translation import gettext as _

    groups: dict[tuple[str, str], list[Organisation]] = {}
    rows = organisations.only("pk", "slug", "name", "name_latin", "name_translations", "website", "region")
    for org in rows:
        keys = {
            company_name_key(n) for n in [org.name, org.name_latin, *all_texts(org.name_translations)] if n
        }
        for key in keys - {""}:
            groups.setdefault(("name", key), []).append(org)
        site = domain_of(org.website)
        if site and is_telling_domain(site):
            groups.setdefault(("site", site), []).append(org)
    labels = {"name": _("same name"), "site": _("same website")}
    pairs: dict[tuple[int, int], tuple[Organisation, Organisation, list[str]]] = {}
    for (kind, _key), members in groups.items():
        unique = list({o.pk: o for o in members}.values())
        for i, first in enumerate(unique):
            for second in unique[i + 1 :]:
                a, b = sorted((first, second), key=lambda o: o.pk)
                entry = pairs.setdefault((a.pk, b.pk), (a, b, []))
                if labels[kind] not in entry[2]:
                    entry[2].append(labels[kind])
    return sorted(pairs.values(), key=lambda p: (p[0].name_latin or p[0].name, p[1].pk))
