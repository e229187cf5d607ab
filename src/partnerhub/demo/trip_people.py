"""Who travels: registrations, meeting requests and a published B2B schedule for the demo's trips."""

from django.utils import timezone

from partnerhub.core.i18n import i18n
from partnerhub.delegations.meetings import services as meetings
from partnerhub.delegations.meetings.tasks import execute
from partnerhub.delegations.models import Registration, RegistrationQuestion, ScheduleRun
from partnerhub.delegations.registration import services as registration
from partnerhub.organisations.models import Person
from partnerhub.privacy.models import PrivacyNotice

QUESTIONS = [
    ("passport_number", "text", True, True,
     i18n(de="Reisepassnummer", en="Passport number", zh_hans="护照号码")),
    ("dietary_needs", "text", False, False,
     i18n(de="Besondere Ernährung", en="Dietary needs", zh_hans="饮食要求")),
    ("interpreter", "yes_no", False, False,
     i18n(de="Dolmetscher benötigt?", en="Interpreter needed?", zh_hans="是否需要翻译？")),
]  # fmt: skip
GERMAN_TRAVELLERS = [
    "de-verbundwerk", "de-pfalzrobotik", "de-lautersim", "de-enercheck", "de-borstec", "de-naturschoen",
    "de-lichtwerk-lautern", "de-aquapur", "de-fiberloop", "de-zfl",
]  # fmt: skip
CHINESE_HOSTS = [
    "cn-yuanhang-marine", "cn-zhijiang-robotics", "cn-liyuan-storage", "cn-jieya-oralcare",
    "cn-qionghua-cosmetics", "cn-minghui-lighting", "cn-qingyuan-env", "cn-hengtong-auto",
]  # fmt: skip
# German traveller ↔ Chinese host pairs that ask for a meeting (index into the lists above).
PAIRS = [(0, 0), (1, 1), (3, 2), (4, 3), (5, 4), (6, 5), (7, 6), (0, 7), (2, 7), (1, 0)]


def _contact(slug: str) -> Person | None:
    return Person.objects.filter(organisation__slug=slug).exclude(email="").order_by("pk").first()


def _person_data(person: Person, zone: str) -> dict:
    return {
        "family_name": person.family_name,
        "given_name": person.given_name,
        "email": person.email,
        "organisation_name": person.organisation.name,
        "time_zone": zone,
        "person": person,
    }


def load_past_registrations(trip, members) -> None:
    """The 21 visitors of a finished trip, taken over as history (the trip is closed for registration)."""
    notice = PrivacyNotice.current()
    for person in members:
        Registration.objects.create(
            delegation=trip, person=person, organisation=person.organisation, family_name=person.family_name,
            given_name=person.given_name, name_latin=person.name_latin, organisation_name=person.organisation.name,
            email=person.email, language="zh-hans", time_zone="Asia/Shanghai",
            status=Registration.Status.CONFIRMED, privacy_notice=notice, consent_given_at=timezone.now(),
        )  # fmt: skip


def load_upcoming(trip, users) -> None:
    staff = users["staff"]
    for position, (key, kind, required, outgoing_only, label) in enumerate(QUESTIONS):
        registration.save_question(
            RegistrationQuestion(
                delegation=trip, key=key, kind=kind, required=required, only_outgoing=outgoing_only,
                label=label, position=position,
            ),
            actor=staff,
        )  # fmt: skip
    hosts = []
    for index, slug in enumerate(CHINESE_HOSTS):
        person = _contact(slug)
        if person is None:
            continue
        (created,) = registration.register(
            trip, [_person_data(person, "Asia/Shanghai")], registered_by=users["partner"],
            organisation=person.organisation, language="zh-hans",
            answers_per_person=[{"passport_number": f"E{index + 10:02d}5531{index}", "interpreter": True}],
        )  # fmt: skip
        hosts.append(created)
    travellers = []
    for index, slug in enumerate(GERMAN_TRAVELLERS):
        person = _contact(slug)
        if person is None:
            continue
        by = users["member"] if slug == "de-verbundwerk" else staff
        answers = {"passport_number": f"C{index + 1:02d}X7Y{index + 3}K", "interpreter": index % 3 == 0}
        (created,) = registration.register(
            trip, [_person_data(person, "Europe/Berlin")], registered_by=by, organisation=person.organisation,
            language="de", answers_per_person=[answers],
        )  # fmt: skip
        travellers.append(created)
    seated = [r for r in hosts + travellers if r.status == Registration.Status.PENDING]
    for created in seated[:-2]:  # two stay waiting for approval
        registration.approve(created, actor=staff)
    confirmed = {
        r.pk for r in Registration.objects.filter(delegation=trip, status=Registration.Status.CONFIRMED)
    }
    requests = []
    for number, (t, h) in enumerate(PAIRS):
        if t >= len(travellers) or h >= len(hosts):
            continue
        requester, recipient = travellers[t], hosts[h]
        if requester.pk not in confirmed or recipient.pk not in confirmed:
            continue
        if number % 4 == 3:
            request = meetings.suggest_meeting(
                trip, requester, recipient, "Passt zum Kooperationsprofil.", actor=staff
            )
        else:
            request = meetings.request_meeting(
                requester, recipient, "Wir würden Sie gern kennenlernen.", actor=requester.registered_by
            )
        requests.append(request)
    for number, request in enumerate(requests):
        if number == len(requests) - 1:
            continue  # one request is still open
        meetings.answer_request(request, accept=number != 2, actor=request.recipient.registered_by)
    run = ScheduleRun.objects.create(delegation=trip, started_by=staff)
    execute(run)
    meetings.publish_schedule(trip, actor=staff)
