"""A small world with a secret in every field some role must not see, for the authorization matrix.

Each secret is a unique marker (``zqx`` + a number) planted in one field of one record, together with the
roles that may read it. ``tests/test_authorization_matrix.py`` requests every URL pattern as every role and
looks for markers the role may not read, in HTML, JSON, PDF, XLSX and calendar responses alike.

Roles are the eight of the issue: anonymous, a signed-in user without organisation, a member of an
organisation, a member of another organisation, staff of the partner agency, staff of another partner agency,
staff of the agency that runs the programme, and a superuser (the platform's operator).
"""

from __future__ import annotations

import datetime
import itertools
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

ROLES = [
    "anonymous",
    "user",
    "member",
    "member_other",
    "partner_staff",
    "other_partner_staff",
    "agency_staff",
    "superuser",
]
HOME = frozenset({"agency_staff", "superuser"})
"""Who reads what only the agency that runs the programme (and the platform's operator) may read."""
OPERATOR = frozenset({"superuser"})


@dataclass
class SecretWorld:
    users: dict[str, object]
    objects: dict[str, object]
    markers: dict[str, frozenset[str]] = field(default_factory=dict)
    """marker → roles that may read it."""
    owned: dict[tuple[str, int], set[str]] = field(default_factory=dict)
    """(model label, pk) → the markers planted in that record (a capability link may show its own)."""
    editors: dict[tuple[str, int], frozenset[str]] = field(default_factory=dict)
    """(model label, pk) → roles that may change that record."""

    def forbidden_for(self, role: str) -> set[str]:
        return {marker for marker, readers in self.markers.items() if role not in readers}


def _key(obj) -> tuple[str, int]:
    return (obj._meta.label_lower, obj.pk)


class _Planter:
    def __init__(self, world: SecretWorld):
        self.world = world
        self.counter = itertools.count(100)

    def marker(self, readers: frozenset[str], obj=None) -> str:
        value = f"zqx{next(self.counter)}"
        self.world.markers[value] = frozenset(readers)
        if obj is not None and obj.pk is not None:
            self.world.owned.setdefault(_key(obj), set()).add(value)
        return value

    def own(self, obj, *markers: str) -> None:
        self.world.owned.setdefault(_key(obj), set()).update(markers)

    def created(self, make):
        """Call ``make()``; the markers planted while it ran belong to the record it returns."""
        before = set(self.world.markers)
        obj = make()
        self.own(obj, *(set(self.world.markers) - before))
        return obj

    def editors(self, obj, roles) -> None:
        self.world.editors[_key(obj)] = frozenset(roles)


def build(settings, tmp_path) -> SecretWorld:
    """Create the world. ``settings`` and ``tmp_path`` are pytest's, for uploaded files."""
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType

    from partnerhub.delegations.models import (
        Meeting,
        MeetingRequest,
        ProgrammeItem,
        Registration,
        RegistrationQuestion,
        ScheduleRun,
        Stop,
        Table,
        TravelLeg,
        Unavailability,
    )
    from partnerhub.demo.world import _grant_staff_permissions
    from partnerhub.ideas.models import IdeaAttachment, ProjectIdea
    from partnerhub.inquiries.models import Inquiry, InquiryReply
    from partnerhub.matching.models import Introduction, ReembedRun, Suggestion
    from partnerhub.organisations.models import Person
    from partnerhub.partnerships.models import AgreementDocument, AgreementParty, DocumentVersion, Signatory
    from partnerhub.pipeline.models import Comment, Stage
    from partnerhub.privacy.models import PrivacyNotice
    from partnerhub.profiles.models import CooperationProfile
    from tests import factories as f

    settings.MEDIA_ROOT = str(tmp_path / "media")
    world = SecretWorld(users={}, objects={})
    plant = _Planter(world)
    o = world.objects

    notice = PrivacyNotice.current() or PrivacyNotice.objects.create(version=1, text={"en": "Privacy"})
    o["home"] = f.AgencyFactory(slug="home", email="home@example.org")
    o["home_unit"] = f.AgencyFactory(slug="home-unit", parent=o["home"])
    o["partner"] = f.AgencyFactory(slug="partner", email="partner@example.cn")
    o["other"] = f.AgencyFactory(slug="other", email="other@example.org")
    for agency in (o["home"], o["partner"], o["other"]):
        for position, (key, outcome) in enumerate([("new", "open"), ("done", "won"), ("dropped", "lost")]):
            Stage.objects.get_or_create(
                agency=agency,
                key=key,
                defaults={"name": {"en": key}, "position": position, "outcome": outcome},
            )
    o["home_region"] = f.RegionFactory(slug="home-region", native_name="Heimstadt", country="DE")
    o["partner_region"] = f.RegionFactory(slug="partner-region", native_name="伙伴市", country="CN")

    # --- partnerships, agreements, documents ------------------------------------------------------------
    o["partnership"] = f.PartnershipFactory(
        slug="home-partner",
        agency=o["home"],
        home_region=o["home_region"],
        partner_region=o["partner_region"],
        is_public=True,
        title={"en": "Home and Partner"},
    )
    o["partnership"].shared_with.add(o["partner"])
    secret_title = plant.marker(HOME)
    o["private_partnership"] = f.PartnershipFactory(
        slug="home-secret",
        agency=o["home"],
        home_region=o["home_region"],
        partner_region=o["partner_region"],
        is_public=False,
        title={"en": f"Secret {secret_title}"},
        description={"en": f"Plans {plant.marker(HOME)}"},
    )
    plant.own(o["private_partnership"], secret_title)
    o["agreement"] = f.AgreementFactory(
        partnership=o["partnership"], is_public=True, title={"en": "Public MoU"}
    )
    o["private_agreement"] = f.AgreementFactory(
        partnership=o["partnership"],
        is_public=False,
        title={"en": f"Draft LoI {plant.marker(HOME)}"},
        goals={"en": f"Goals {plant.marker(HOME)}"},
    )
    party = AgreementParty.objects.create(
        agreement=o["private_agreement"], name={"en": f"Party {plant.marker(HOME)}"}, agency=o["home"]
    )
    o["signatory"] = Signatory.objects.create(
        agreement=o["private_agreement"],
        party=party,
        name=f"Signer {plant.marker(HOME)}",
        title={"en": "Mayor"},
    )
    document_marker = plant.marker(HOME)
    document = AgreementDocument(
        agreement=o["private_agreement"], title={"en": f"Scan {plant.marker(HOME)}"}, language="en"
    )
    document.file.save("scan.pdf", ContentFile(f"%PDF-1.4\n% {document_marker}\n".encode()), save=True)
    o["document"] = document
    older_marker = plant.marker(HOME)
    older = DocumentVersion(document=document, number=1, uploaded_at=timezone.now())
    older.file.save("scan-v1.pdf", ContentFile(f"%PDF-1.4\n% {older_marker}\n".encode()), save=True)
    document.number = 2
    document.save(update_fields=["number"])
    o["document_version"] = older
    plant.own(document, older_marker)
    # On the public agreement, a document for the agency alone: its title and content stay with the agency.
    internal_marker = plant.marker(HOME)
    internal = AgreementDocument(
        agreement=o["agreement"], title={"en": f"Notes {plant.marker(HOME)}"}, visibility="agency"
    )
    internal.file.save("notes.pdf", ContentFile(f"%PDF-1.4\n% {internal_marker}\n".encode()), save=True)
    o["internal_document"] = internal

    # --- organisations and contacts -------------------------------------------------------------------
    o["public_org"] = f.OrganisationFactory(
        slug="public-org", name="Offene Maschinenbau GmbH", owner_agency=o["home"], region=o["home_region"],
        is_public=True,
    )  # fmt: skip
    # Names of organisations carry no secret: registering for a trip shows one's organisation to the
    # organisers, the partner agency and the other participants. Their other fields do.
    member_readers = HOME | {"member"}
    o["private_org"] = f.OrganisationFactory(
        slug="private-org",
        name="Verborgene Sensorik GmbH",
        description={"en": f"About {plant.marker(member_readers)}"},
        street=f"Geheimweg {plant.marker(member_readers)}",
        website=f"https://{plant.marker(member_readers)}.example.org",
        owner_agency=o["home"],
        region=o["home_region"],
        is_public=False,
    )
    o["shared_org"] = f.OrganisationFactory(
        slug="shared-org", name="Geteilte Robotik AG", owner_agency=o["home"], region=o["home_region"],
        is_public=False,
    )  # fmt: skip
    o["shared_org"].shared_with.add(o["partner"])
    partner_readers = frozenset({"partner_staff", "member_other", "superuser"})
    o["partner_org"] = f.OrganisationFactory(
        slug="partner-org",
        name="扬州恒通汽车零部件有限公司",
        description={"zh-hans": f"简介 {plant.marker(partner_readers)}"},
        street=f"文昌路 {plant.marker(partner_readers)}",
        country="CN",
        owner_agency=o["partner"],
        region=o["partner_region"],
        is_public=False,
    )
    o["person_public_org"] = f.PersonFactory(
        organisation=o["public_org"], family_name=f"Becker{plant.marker(HOME)}",
        email=f"{plant.marker(HOME)}@public-org.example.org",
    )  # fmt: skip
    o["person_unconsented"] = f.PersonFactory(
        organisation=o["shared_org"],
        family_name=f"Klein{plant.marker(HOME)}",
        email=f"{plant.marker(HOME)}@shared-org.example.org",
        phone=f"+49 {plant.marker(HOME)}",
        consent=Person.Consent.UNKNOWN,
    )
    o["person_consented"] = f.PersonFactory(
        organisation=o["shared_org"], family_name="Wagner", consent=Person.Consent.GRANTED
    )

    # --- users --------------------------------------------------------------------------------------
    u = world.users
    u["user"] = f.UserFactory(email="someone@example.org")
    u["member"] = f.UserFactory(email="member@private-org.example.org", organisation=o["private_org"])
    u["member_other"] = f.UserFactory(email="member@partner-org.example.cn", organisation=o["partner_org"])
    u["partner_staff"] = f.UserFactory(email="staff@partner.example.cn", agency=o["partner"], is_staff=True)
    u["other_partner_staff"] = f.UserFactory(
        email="staff@other.example.org", agency=o["other"], is_staff=True
    )
    u["agency_staff"] = f.UserFactory(email="staff@home.example.org", agency=o["home_unit"], is_staff=True)
    u["superuser"] = f.UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    _grant_staff_permissions([u["partner_staff"], u["other_partner_staff"], u["agency_staff"]])
    Group.objects.get(name="Agency staff")

    # --- project ideas, comments, attachments ---------------------------------------------------------
    def idea(marker_readers, **extra):
        title_marker = plant.marker(marker_readers)
        values = {
            "agency": o["home"],
            "title": f"Idea {title_marker}",
            "description": f"Description {plant.marker(marker_readers)}",
            "area": "technology",
            "organisation_name": "Some company",
            "organisation_kind": "sme",
            "contact_name": f"Contact {plant.marker(marker_readers)}",
            "contact_email": f"{plant.marker(marker_readers)}@idea.example.org",
            "contact_phone": f"+86 {plant.marker(marker_readers)}",
            "privacy_notice": notice,
            "consent_given_at": timezone.now(),
            "email_confirmed_at": timezone.now(),
            "language": "en",
        }
        values.update(extra)
        return ProjectIdea.objects.create(**values)

    o["idea_unshared"] = plant.created(lambda: idea(HOME))
    attachment_marker = plant.marker(HOME)
    attachment = IdeaAttachment(
        idea=o["idea_unshared"], original_name=f"plan-{plant.marker(HOME)}.pdf", content_type="application/pdf",
        size=40,
    )  # fmt: skip
    attachment.file.save("plan.pdf", ContentFile(f"%PDF-1.4\n% {attachment_marker}\n".encode()), save=True)
    o["attachment"] = attachment
    plant.own(
        o["idea_unshared"], attachment_marker, *[m for m in world.markers if m in attachment.original_name]
    )
    shared_readers = HOME | {"partner_staff"}
    o["idea_shared"] = plant.created(lambda: idea(shared_readers))
    o["idea_shared"].shared_with.add(o["partner"])
    o["idea_unconfirmed"] = plant.created(lambda: idea(OPERATOR, email_confirmed_at=None))
    o["idea_of_member"] = plant.created(lambda: idea(member_readers, organisation=o["private_org"]))
    idea_type = ContentType.objects.get_for_model(ProjectIdea)
    for name, target, shared, readers in [
        ("comment_internal", o["idea_shared"], False, HOME),
        ("comment_shared", o["idea_shared"], True, shared_readers),
        ("comment_on_member_idea", o["idea_of_member"], False, HOME),
    ]:
        o[name] = Comment.objects.create(
            target_type=idea_type, target_id=target.pk, author=u["agency_staff"], author_agency=o["home_unit"],
            body=f"Comment {plant.marker(readers)}", shared=shared,
        )  # fmt: skip

    # --- cooperation profiles ------------------------------------------------------------------------
    def profile(organisation, status, readers, visibility="public", agency=None):
        return CooperationProfile.objects.create(
            agency=agency or o["home"],
            organisation=organisation,
            profile_type="technology_offer",
            summary={"en": f"Profile {plant.marker(readers)}"},
            description={"en": f"Details {plant.marker(readers)}"},
            valid_until=timezone.localdate() + datetime.timedelta(days=200),
            visibility=visibility,
            status=status,
            published_at=timezone.now() if status == "published" else None,
        )

    o["profile_draft"] = profile(o["private_org"], "draft", member_readers)
    o["profile_in_review"] = profile(o["private_org"], "in_review", member_readers)
    o["profile_published"] = profile(o["public_org"], "published", frozenset(ROLES))
    o["profile_partners_only"] = profile(
        o["shared_org"], "published", frozenset({"agency_staff", "partner_staff", "other_partner_staff",
                                                  "superuser"}), visibility="partners",
    )  # fmt: skip

    # --- inquiries -----------------------------------------------------------------------------------
    o["inquiry"] = plant.created(
        lambda: Inquiry.objects.create(
            partnership=o["partnership"],
            sender_name=f"Sender {plant.marker(HOME)}",
            sender_email=f"{plant.marker(HOME)}@inquiry.example.org",
            subject=f"Subject {plant.marker(HOME)}",
            message=f"Message {plant.marker(HOME)}",
            language="en",
            submission_key="00000000-0000-4000-8000-000000000001",
        )
    )
    o["inquiry_reply"] = InquiryReply.objects.create(
        inquiry=o["inquiry"], author=u["agency_staff"], body=f"Reply {plant.marker(HOME)}"
    )

    # --- trips, registrations (with passport numbers), meeting requests -----------------------------
    o["trip"] = f.DelegationFactory(
        slug="public-trip", partnership=o["partnership"], is_public=True, title={"en": "Spring visit"},
        time_zone="Asia/Shanghai", meeting_minutes=30, capacity=20,
    )  # fmt: skip
    day = timezone.localdate() + datetime.timedelta(days=31)
    import zoneinfo

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    o["b2b_block"] = ProgrammeItem.objects.create(
        delegation=o["trip"],
        kind=ProgrammeItem.Kind.B2B_BLOCK,
        title={"en": "B2B morning"},
        starts_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=shanghai),
        ends_at=datetime.datetime.combine(day, datetime.time(11), tzinfo=shanghai),
        time_zone="Asia/Shanghai",
    )
    o["question"] = RegistrationQuestion.objects.create(
        delegation=o["trip"], key="passport_number", label={"en": "Passport number"}, kind="text"
    )
    # a two-city itinerary with a travel leg (the trip's staff pages: trips/urls.py)
    o["stop_home"] = Stop.objects.create(
        delegation=o["trip"], region=o["home_region"], arrival=day, departure=day, time_zone="Europe/Berlin"
    )
    o["stop_partner"] = Stop.objects.create(
        delegation=o["trip"], region=o["partner_region"], arrival=day, departure=day, time_zone="Asia/Shanghai",
        position=1,
    )  # fmt: skip
    o["leg"] = TravelLeg.objects.create(
        delegation=o["trip"], origin=o["stop_home"], destination=o["stop_partner"], mode="flight",
        departs_at=datetime.datetime.combine(day, datetime.time(1), tzinfo=shanghai),
        arrives_at=datetime.datetime.combine(day, datetime.time(8), tzinfo=shanghai),
    )  # fmt: skip
    trip_secret = plant.marker(HOME)
    o["private_trip"] = f.DelegationFactory(
        slug="private-trip",
        partnership=o["private_partnership"],
        is_public=False,
        title={"en": f"Secret trip {trip_secret}"},
        description={"en": f"Secret programme {plant.marker(HOME)}"},
    )
    plant.own(
        o["private_trip"], *[m for m in world.markers if m in str(o["private_trip"].description)], trip_secret
    )

    def registration(trip, org, family_name, email, readers, user=None):
        return plant.created(lambda: _registration(trip, org, family_name, email, readers, user))

    def _registration(trip, org, family_name, email, readers, user):
        passport = plant.marker(HOME)  # decisions/0019: passport numbers are for the organising agency
        return Registration.objects.create(
            delegation=trip,
            family_name=f"{family_name}{plant.marker(readers)}",
            organisation=org,
            organisation_name=org.name if org else "Independent",  # as typed on the form
            email=email,
            registered_by=user,
            language="en",
            status=Registration.Status.CONFIRMED,
            answers={"passport_number": f"P{passport}"},
            privacy_notice=notice,
            consent_given_at=timezone.now(),
        )

    # The trip is shared with the partner agency; participants see each other's names (to ask for meetings).
    trip_readers = HOME | {"partner_staff", "member", "member_other"}
    o["trip"].shared_with.add(o["partner"])
    o["registration_member"] = registration(
        o["trip"], o["private_org"], "Alice", u["member"].email, trip_readers, user=u["member"]
    )
    o["registration_other"] = registration(
        o["trip"], o["partner_org"], "Bo", u["member_other"].email, trip_readers, user=u["member_other"]
    )
    o["registration_private_trip"] = registration(
        o["private_trip"], o["public_org"], "Carla", "carla@example.org", HOME
    )
    plant.own(o["registration_private_trip"], *world.owned[_key(o["private_trip"])])
    o["meeting_request"] = MeetingRequest.objects.create(
        delegation=o["trip"],
        requester=o["registration_member"],
        recipient=o["registration_other"],
        message=f"Let us meet {plant.marker(HOME | {'member', 'member_other'})}",
    )

    o["unavailability"] = Unavailability.objects.create(
        registration=o["registration_member"],
        starts_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=shanghai),
        ends_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=shanghai),
    )
    o["table"] = Table.objects.create(delegation=o["trip"], name="A1")
    o["meeting"] = Meeting.objects.create(
        delegation=o["trip"],
        request=o["meeting_request"],
        first=o["registration_member"],
        second=o["registration_other"],
        table=o["table"],
        starts_at=datetime.datetime.combine(day, datetime.time(10), tzinfo=shanghai),
        ends_at=datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=shanghai),
    )
    o["schedule_run"] = ScheduleRun.objects.create(delegation=o["trip"], started_by=u["agency_staff"])
    o["reembed_run"] = ReembedRun.objects.create(model_name="fake", started_by=u["superuser"])
    profile_type = ContentType.objects.get_for_model(CooperationProfile)
    o["suggestion"] = Suggestion.objects.create(
        source_type=profile_type, source_id=o["profile_partners_only"].pk, source_agency=o["home"],
        source_organisation=o["shared_org"], target_type=profile_type, target_id=o["profile_published"].pk,
        target_agency=o["home"], target_organisation=o["public_org"], score=0.9,
        dismiss_reason=f"Because {plant.marker(HOME)}",
    )  # fmt: skip
    o["suggestion_accepted"] = Suggestion.objects.create(
        source_type=profile_type, source_id=o["profile_published"].pk, source_agency=o["home"],
        source_organisation=o["public_org"], target_type=profile_type, target_id=o["profile_partners_only"].pk,
        target_agency=o["home"], target_organisation=o["shared_org"], score=0.8, status="accepted",
    )  # fmt: skip
    o["introduction"] = Introduction.objects.create(
        suggestion=o["suggestion_accepted"], requested_by="source", interest_by=u["agency_staff"]
    )

    from django_tasks_db.models import DBTaskResult

    o["task_result"] = DBTaskResult.objects.create(
        args_kwargs={"args": [f"{plant.marker(OPERATOR)}@mail.example.org"], "kwargs": {}},
        task_path="partnerhub.notifications.tasks.send_email", backend_name="default",
        run_after=timezone.now(), exception_class_path="", traceback="",
    )  # fmt: skip
    from partnerhub.notifications.models import OutgoingEmail

    o["outgoing_email"] = plant.created(lambda: OutgoingEmail.objects.create(
        to=[f"{plant.marker(OPERATOR)}@mail.example.org"], subject=f"Failed {plant.marker(OPERATOR)}",
        body="Hello", from_email="noreply@example.org", message_id="<outbox-world@example.org>",
        status="failed", attempts=6, last_error=f"550 {plant.marker(OPERATOR)}",
    ))  # fmt: skip

    from partnerhub.matching.models import Embedding

    o["embedding"] = Embedding.objects.create(
        target_type=profile_type, target_id=o["profile_draft"].pk, model_name="fake", dim=2,
        vector=b"\x00" * 8, text_hash="0" * 64,
    )  # fmt: skip
    from partnerhub.engines.matching.scoring import WEIGHTS
    from partnerhub.matching.models import LearnedWeights

    o["learned_weights"] = LearnedWeights.objects.create(weights=WEIGHTS, marks=30, good=15, not_relevant=15)
    from allauth.account.models import EmailAddress

    for user in u.values():
        EmailAddress.objects.get_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
    o["email_address"] = EmailAddress.objects.get(user=u["member"])

    # --- who may change what ----------------------------------------------------------------------------
    for name in ["partnership", "private_partnership", "agreement", "private_agreement", "public_org",
                 "private_org", "shared_org", "trip", "private_trip", "idea_unshared", "idea_shared",
                 "idea_of_member", "inquiry", "registration_member", "registration_other",
                 "registration_private_trip", "document", "attachment", "person_public_org",
                 "person_unconsented", "person_consented", "home_region", "profile_published",
                 "profile_partners_only", "signatory", "document_version", "internal_document"]:  # fmt: skip
        plant.editors(o[name], HOME)
    plant.editors(o["partner_org"], {"partner_staff", "superuser"})
    plant.editors(o["partner_region"], {"partner_staff", "superuser"})
    for name in ["home", "home_unit"]:  # an agency's record is kept by its family's staff
        plant.editors(o[name], HOME)
    plant.editors(o["partner"], {"partner_staff", "superuser"})
    plant.editors(o["other"], {"other_partner_staff", "superuser"})
    plant.editors(o["idea_unconfirmed"], OPERATOR)
    plant.editors(o["profile_draft"], HOME | {"member"})
    plant.editors(o["profile_in_review"], HOME | {"member"})
    plant.editors(o["meeting_request"], HOME | {"member", "member_other"})
    plant.editors(o["unavailability"], HOME | {"member"})
    plant.editors(o["meeting"], HOME | {"member", "member_other"})
    for name in ["stop_home", "stop_partner", "leg"]:
        plant.editors(o[name], HOME)
    for name in ["question", "table", "b2b_block", "schedule_run", "suggestion", "suggestion_accepted",
                 "introduction"]:  # fmt: skip
        plant.editors(o[name], HOME)
    plant.editors(o["reembed_run"], OPERATOR)
    plant.editors(o["task_result"], OPERATOR)
    plant.editors(o["outgoing_email"], OPERATOR)
    plant.editors(o["embedding"], OPERATOR)
    plant.editors(o["learned_weights"], OPERATOR)
    return world
