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
