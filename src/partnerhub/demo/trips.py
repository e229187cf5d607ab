"""The demo's two delegation trips: the 21 visitors from Yangzhou (past) and September's trip to the delta.

Programme times are written in the zone of the place, as staff type them.
"""

import datetime
import zoneinfo

from django.utils import timezone

from partnerhub.core.i18n import i18n
from partnerhub.delegations.models import Delegation, ProgrammeItem, Stop, Table, TravelLeg
from partnerhub.delegations.trips import services as delegation_services

BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def _next_september(today: datetime.date) -> datetime.date:
    year = today.year if today.month < 8 else today.year + 1
    return datetime.date(year, 9, 14)


def _at(day: datetime.date, hour: int, minute: int, zone) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


def _item(trip, stop, kind, day, start, end, zone, title, venue):
    ProgrammeItem.objects.create(
        delegation=trip, stop=stop, kind=kind, title=title, venue=venue,
        starts_at=_at(day, *start, zone), ends_at=_at(day, *end, zone), time_zone=str(zone),
    )  # fmt: skip


def _incoming(partnership, regions, users, members, today) -> Delegation:
    start = today - datetime.timedelta(days=120)
    trip = delegation_services.save_delegation(
        Delegation(
            slug="yangzhou-delegation-to-kaiserslautern", partnership=partnership,
            direction=Delegation.Direction.INCOMING, status=Delegation.Status.COMPLETED,
            start_date=start, end_date=start + datetime.timedelta(days=4), time_zone="Europe/Berlin",
            capacity=21, leader=members[0] if members else None, is_public=True,
            title=i18n(de="Delegation aus Yangzhou in Kaiserslautern", en="Yangzhou delegation visits Kaiserslautern",
                       zh_hans="扬州代表团访问凯泽斯劳滕"),
            description=i18n(
                de="21 Vertreterinnen und Vertreter aus Unternehmen und Behörden Yangzhous besuchten die Region; "
                "B2B-Gespräche mit Unternehmen aus Kaiserslautern.",
                en="21 representatives of Yangzhou companies and authorities visited the region; B2B meetings "
                "with Kaiserslautern companies.",
                zh_hans="扬州企业和政府部门的21名代表访问了该地区，并与凯泽斯劳滕企业进行了B2B洽谈。",
            ),
        ),
        actor=users["staff"],
    )  # fmt: skip
    trip.destinations.set([regions["kaiserslautern"], regions["kaiserslautern-district"]])
    stop = Stop.objects.create(
        delegation=trip,
        region=regions["kaiserslautern"],
        arrival=start,
        departure=start + datetime.timedelta(days=4),
        time_zone="Europe/Berlin",
        venue=i18n(de="Hotel am Rathaus", en="Hotel at the town hall", zh_hans="市政厅酒店"),
    )
    for index, person in enumerate(members):
        delegation_services.add_member(trip, person, actor=users["staff"], is_leader=index == 0)
    _item(
        trip,
        stop,
        "official_meeting",
        start,
        (10, 0),
        (11, 30),
        BERLIN,
        i18n(de="Empfang im Rathaus", en="Reception at the town hall", zh_hans="市政厅接待"),
        i18n(de="Rathaus Kaiserslautern", en="Kaiserslautern town hall", zh_hans="凯泽斯劳滕市政厅"),
    )
    _item(
        trip,
        stop,
        "b2b_block",
        start + datetime.timedelta(days=1),
        (9, 0),
        (12, 0),
        BERLIN,
        i18n(de="B2B-Gespräche", en="B2B meetings", zh_hans="B2B洽谈"),
        i18n(
            de="Gründer- und Technologiezentrum",
            en="Start-up and technology centre",
            zh_hans="创业与技术中心",
        ),
    )
    _item(
        trip,
        stop,
        "company_visit",
        start + datetime.timedelta(days=2),
        (14, 0),
        (16, 30),
        BERLIN,
        i18n(
            de="Besuch eines Nutzfahrzeugzulieferers",
            en="Visit to a commercial-vehicle supplier",
            zh_hans="参观商用车零部件供应商",
        ),
        i18n(de="Landstuhl", en="Landstuhl", zh_hans="兰茨图尔"),
    )
    return trip


def _outgoing(partnership, regions, users, today) -> Delegation:
    start = _next_september(today)
    trip = delegation_services.save_delegation(
        Delegation(
            slug="delegation-to-yangtze-river-delta", partnership=partnership,
            direction=Delegation.Direction.OUTGOING, status=Delegation.Status.CONFIRMED,
            start_date=start, end_date=start + datetime.timedelta(days=7), time_zone="Asia/Shanghai",
            capacity=16, meeting_minutes=30, is_public=True,
            registration_opens=timezone.now() - datetime.timedelta(days=10),
            registration_closes=_at(start - datetime.timedelta(days=30), 23, 59, BERLIN),
            title=i18n(de="Unternehmerreise nach Yangzhou, Nanjing und Shanghai",
                       en="Business trip to Yangzhou, Nanjing and Shanghai", zh_hans="赴扬州、南京和上海商务考察"),
            description=i18n(
                de="Delegationsreise im September in das Jangtse-Delta mit Firmenbesuchen und B2B-Gesprächen.",
                en="Delegation trip in September to the Yangtze River Delta with company visits and B2B meetings.",
                zh_hans="九月赴长三角的代表团考察，包括企业参观和B2B洽谈。",
            ),
        ),
        actor=users["staff"],
    )  # fmt: skip
    trip.destinations.set([regions["yangzhou"], regions["nanjing"], regions["shanghai"]])
    days = [start + datetime.timedelta(days=n) for n in range(8)]
    yangzhou = Stop.objects.create(
        delegation=trip,
        region=regions["yangzhou"],
        arrival=days[0],
        departure=days[3],
        time_zone="Asia/Shanghai",
        position=1,
        venue=i18n(de="Hotel am Kaiserkanal", en="Grand Canal hotel", zh_hans="运河宾馆"),
    )
    nanjing = Stop.objects.create(
        delegation=trip,
        region=regions["nanjing"],
        arrival=days[3],
        departure=days[5],
        time_zone="Asia/Shanghai",
        position=2,
    )
    shanghai = Stop.objects.create(
        delegation=trip,
        region=regions["shanghai"],
        arrival=days[5],
        departure=days[7],
        time_zone="Asia/Shanghai",
        position=3,
    )
    TravelLeg.objects.create(
        delegation=trip,
        origin=yangzhou,
        destination=nanjing,
        mode="train",
        departs_at=_at(days[3], 8, 30, SHANGHAI),
        arrives_at=_at(days[3], 9, 40, SHANGHAI),
    )
    TravelLeg.objects.create(
        delegation=trip,
        origin=nanjing,
        destination=shanghai,
        mode="train",
        details="G7012",
        departs_at=_at(days[5], 9, 0, SHANGHAI),
        arrives_at=_at(days[5], 10, 35, SHANGHAI),
    )
    _item(
        trip,
        yangzhou,
        "official_meeting",
        days[0],
        (16, 0),
        (17, 30),
        SHANGHAI,
        i18n(de="Empfang beim Handelsamt", en="Reception at the bureau of commerce", zh_hans="市商务局接待"),
        i18n(de="Handelsamt Yangzhou", en="Yangzhou bureau of commerce", zh_hans="扬州市商务局"),
    )
    _item(
        trip,
        yangzhou,
        "b2b_block",
        days[1],
        (9, 0),
        (12, 0),
        SHANGHAI,
        i18n(
            de="B2B-Gespräche mit Unternehmen aus Yangzhou",
            en="B2B meetings with Yangzhou companies",
            zh_hans="与扬州企业B2B洽谈",
        ),
        i18n(de="Messezentrum Yangzhou", en="Yangzhou exhibition centre", zh_hans="扬州会展中心"),
    )
    _item(
        trip,
        yangzhou,
        "b2b_block",
        days[2],
        (14, 0),
        (17, 0),
        SHANGHAI,
        i18n(
            de="B2B-Gespräche (zweiter Block)", en="B2B meetings (second block)", zh_hans="B2B洽谈（第二场）"
        ),
        i18n(de="Messezentrum Yangzhou", en="Yangzhou exhibition centre", zh_hans="扬州会展中心"),
    )
    _item(
        trip,
        yangzhou,
        "signing",
        days[2],
        (18, 0),
        (19, 0),
        SHANGHAI,
        i18n(
            de="Unterzeichnung von Absichtserklärungen",
            en="Signing of letters of intent",
            zh_hans="意向书签约仪式",
        ),
        i18n(de="Messezentrum Yangzhou", en="Yangzhou exhibition centre", zh_hans="扬州会展中心"),
    )
    _item(
        trip,
        nanjing,
        "company_visit",
        days[4],
        (10, 0),
        (12, 0),
        SHANGHAI,
        i18n(
            de="Besuch eines Forschungsinstituts für Verbundwerkstoffe",
            en="Visit to a composites institute",
            zh_hans="参观复合材料研究院",
        ),
        i18n(de="Nanjing", en="Nanjing", zh_hans="南京"),
    )
    _item(
        trip,
        shanghai,
        "reception",
        days[6],
        (19, 0),
        (22, 0),
        SHANGHAI,
        i18n(de="Abschlussempfang", en="Farewell reception", zh_hans="欢送晚宴"),
        i18n(de="Shanghai", en="Shanghai", zh_hans="上海"),
    )
    for index in range(4):
        Table.objects.create(delegation=trip, name=f"{index + 1}", position=index)
    return trip


def load_trips(partnership, regions, users, members) -> tuple[Delegation, Delegation]:
    today = timezone.localdate()
    incoming = _incoming(partnership, regions, users, members, today)
    outgoing = _outgoing(partnership, regions, users, today)
    return incoming, outgoing
