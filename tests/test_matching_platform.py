"""Matching on the platform: suggestions, review, introductions, feedback, re-embedding, trip meetings.

The fake embedder knows no languages, so the German request and the Chinese offer share words here; that
the real model matches them without shared words is the engine's own test.
"""

import datetime
import re

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.core.audit import history
from partnerhub.delegations.models import MeetingRequest, Registration
from partnerhub.matching import services, suggestions
from partnerhub.matching.models import Embedding, Introduction, ReembedRun, Suggestion
from partnerhub.privacy.models import PrivacyNotice
from partnerhub.profiles import services as profile_services
from partnerhub.profiles.models import CooperationProfile
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

Kind = CooperationProfile.ProfileType
Visibility = CooperationProfile.Visibility
LANGUAGES = ["de", "en", "zh-hans"]
HTML_LANG = {"de": "de", "en": "en", "zh-hans": "zh-Hans"}

REQUEST_DE = "Wir suchen Spritzgießtechnik für Faserverbund-Leichtbauteile"
REQUEST_EN = "We seek injection moulding for composite lightweight parts"
OFFER_ZH = "我们提供Spritzgießtechnik Faserverbund轻量化部件技术"
OFFER_EN = "We offer injection moulding technology for composite parts"


@pytest.fixture(autouse=True)
def fake_embedder(settings):
    settings.MATCHING_EMBEDDER = "fake"


def publish(org, author, reviewer, *, kind, summary, description, visibility=Visibility.PUBLIC, keywords=()):
    profile = CooperationProfile(
        organisation=org,
        valid_until=timezone.localdate() + datetime.timedelta(days=200),
        profile_type=kind,
        summary=summary,
        description=description,
        keywords=list(keywords),
        partnership_kinds=["licence"],
        visibility=visibility,
    )
    profile = profile_services.save_profile(profile, actor=author, sector_codes=["22.29"])
    profile_services.submit_for_review(profile, actor=author)
    return profile_services.publish_profile(profile, actor=reviewer)


@pytest.fixture
def market(world, member_a, member_b, agency_staff, partner_staff):
    """A German technology request, the fitting Chinese offer, and profiles that must not be suggested."""
    home, partner = world.private_org, world.partner_org
    profiles = {
        "request": publish(
            home,
            member_a,
            agency_staff,
            kind=Kind.TECHNOLOGY_REQUEST,
            summary={"de": REQUEST_DE, "en": REQUEST_EN},
            description={"de": f"{REQUEST_DE}. Spritzgießtechnik und Faserverbund für Leichtbauteile."},
            keywords=["Faserverbund"],
        ),
        "offer": publish(
            partner,
            member_b,
            partner_staff,
            kind=Kind.TECHNOLOGY_OFFER,
            summary={"zh-hans": OFFER_ZH, "en": OFFER_EN},
            description={"zh-hans": f"{OFFER_ZH}。Spritzgießtechnik 和 Faserverbund 轻量化部件。"},
            keywords=["faserverbund"],
        ),
        "unrelated_offer": publish(
            partner,
            member_b,
            partner_staff,
            kind=Kind.TECHNOLOGY_OFFER,
            summary={"zh-hans": "我们提供茶叶出口"},
            description={"zh-hans": "绿茶和红茶的批发出口。"},
        ),
        # Same words, but not for the home agency's eyes, of the wrong kind, or of the same organisation.
        "partner_agency_only": publish(
            partner,
            member_b,
            partner_staff,
            kind=Kind.TECHNOLOGY_OFFER,
            summary={"zh-hans": OFFER_ZH},
            description={"zh-hans": OFFER_ZH},
            visibility=Visibility.AGENCY,
        ),
        "partner_request": publish(
            partner,
            member_b,
            partner_staff,
            kind=Kind.TECHNOLOGY_REQUEST,
            summary={"zh-hans": OFFER_ZH},
            description={"zh-hans": OFFER_ZH},
        ),
        "own_offer": publish(
            home,
            member_a,
            agency_staff,
            kind=Kind.TECHNOLOGY_OFFER,
            summary={"de": REQUEST_DE},
            description={"de": REQUEST_DE},
        ),
    }
    PersonFactory(
        organisation=home,
        family_name="Schmidt",
        given_name="Anna",
        email="anna@private.example.de",
        languages=["de"],
    )
    PersonFactory(
        organisation=partner,
        family_name="王",
        given_name="芳",
        email="wang@partner.example.cn",
        languages=["zh"],
    )
    services.refresh_all()
    return profiles


def suggestion_for(market, source="request", target="offer"):
    return services.suggestions_of(market[source]).get(target_id=market[target].pk)


def accepted(market, agency_staff):
    return services.review(suggestion_for(market), "accept", actor=agency_staff)


# --- suggestions ---------------------------------------------------------------------------------------


def test_german_technology_request_finds_the_complementary_chinese_offer(market):
    suggestions = list(services.suggestions_of(market["request"]).order_by("-score"))
    assert suggestions[0].target_id == market["offer"].pk
    assert suggestions[0].score > suggestion_for(market, target="unrelated_offer").score
    pair = suggestions[0].explanation["pairs"][0]
    assert (pair["a_lang"], pair["b_lang"]) == ("de", "zh-hans")
    assert "Spritzgießtechnik" in pair["a"] and "Spritzgießtechnik" in pair["b"]
    assert [s["code"] for s in suggestions[0].explanation["shared_sectors"]] == ["22.29"]
    assert suggestions[0].explanation["shared_keywords"] == ["Faserverbund"]


def test_suggestions_leave_out_hidden_profiles_wrong_kinds_and_the_own_organisation(market):
    targets = set(services.suggestions_of(market["request"]).values_list("target_id", flat=True))
    for name in ("partner_agency_only", "partner_request", "own_offer", "request"):
        assert market[name].pk not in targets, name


def test_each_stored_vector_records_model_and_dimension(market):
    row = Embedding.objects.get(target_id=market["request"].pk, target_type__model="cooperationprofile")
    assert (row.model_name, row.dim) == ("fake-64", 64)
    assert row.as_array().shape == (64,)


def test_refresh_keeps_reviewed_suggestions_and_drops_new_ones_of_a_withdrawn_profile(
    market, agency_staff, member_b
):
    services.review(suggestion_for(market), "dismiss", actor=agency_staff, reason="Known already")
    services.refresh_suggestions(market["request"])
    assert suggestion_for(market).status == Suggestion.Status.DISMISSED
    profile_services.withdraw_profile(market["unrelated_offer"], actor=member_b)
    services.refresh_all()
    targets = set(services.suggestions_of(market["request"]).values_list("target_id", flat=True))
    assert market["unrelated_offer"].pk not in targets and market["offer"].pk in targets


def test_members_see_only_accepted_suggestions_for_their_own_profiles(
    market, member_a, member_b, partner_staff, anonymous, agency_staff
):
    suggestion = suggestion_for(market)
    assert not Suggestion.objects.visible_to(member_a).filter(pk=suggestion.pk).exists()
    assert not Suggestion.objects.visible_to(partner_staff).filter(pk=suggestion.pk).exists()
    services.review(suggestion, "accept", actor=agency_staff)
    assert Suggestion.objects.visible_to(member_a).filter(pk=suggestion.pk).exists()
    assert Suggestion.objects.visible_to(partner_staff).filter(pk=suggestion.pk).exists()
    assert not Suggestion.objects.visible_to(member_b).filter(pk=suggestion.pk).exists()
    assert not Suggestion.objects.visible_to(anonymous).exists()


def test_only_staff_of_the_source_agency_review(market, member_a, partner_staff, agency_staff):
    suggestion = suggestion_for(market)
    for actor in (member_a, partner_staff):
        with pytest.raises(PermissionDenied):
            services.review(suggestion, "accept", actor=actor)
    with pytest.raises(ValidationError):
        services.review(suggestion, "dismiss", actor=agency_staff, reason=" ")
    services.review(suggestion, "dismiss", actor=agency_staff, reason="Wrong material")
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.dismiss_reason, suggestion.reviewed_by) == (
        "dismissed",
        "Wrong material",
        agency_staff,
    )


def test_review_queue_is_for_staff_only(client, market, member_a, agency_staff):
    assert client.get(reverse("matching:queue")).status_code == 302  # to the sign-in page
    client.force_login(member_a)
    assert client.get(reverse("matching:queue")).status_code == 403
    client.force_login(agency_staff)
    page = client.get(reverse("matching:queue"))
    assert page.status_code == 200
    assert OFFER_EN in page.content.decode() or OFFER_ZH in page.content.decode()


def test_staff_accept_from_the_queue(client, market, agency_staff):
    client.force_login(agency_staff)
    suggestion = suggestion_for(market)
    client.post(reverse("matching:review", args=[suggestion.pk]), {"decision": "accept"})
    suggestion.refresh_from_db()
    assert suggestion.status == Suggestion.Status.ACCEPTED


def test_feedback_is_stored(client, market, agency_staff, member_a):
    suggestion = accepted(market, agency_staff)
    client.force_login(member_a)
    client.post(reverse("matching:feedback", args=[suggestion.pk]), {"useful": "no"})
    suggestion.refresh_from_db()
    assert (suggestion.feedback, suggestion.feedback_by) == (False, member_a)
    assert services.evaluation(Suggestion.objects.all())["not_useful"] == 1


# --- introductions --------------------------------------------------------------------------------------


def test_the_introduction_runs_end_to_end_with_mail_in_each_language(
    client,
    market,
    agency_staff,
    partner_staff,
    member_a,
    member_b,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    suggestion = accepted(market, agency_staff)
    with django_capture_on_commit_callbacks(execute=True):
        introduction = services.express_interest(suggestion, actor=member_a)
        with pytest.raises(PermissionDenied):
            services.forward(introduction, actor=agency_staff)  # not the agency of the side that is asked
        services.forward(introduction, actor=partner_staff)
        with pytest.raises(PermissionDenied):
            services.accept_introduction(introduction, actor=member_a)  # the asking side cannot answer
    client.force_login(member_a)
    before = client.get(reverse("matching:introductions")).content.decode()
    assert "wang@partner.example.cn" not in before
    assert (
        "wang@partner.example.cn"
        not in client.get(reverse("matching:profile", args=[market["request"].pk])).content.decode()
    )
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.accept_introduction(introduction, actor=member_b)

    introduction.refresh_from_db()
    assert introduction.state == Introduction.State.ACCEPTED
    to_anna = next(m for m in mailoutbox if m.to == ["anna@private.example.de"])
    to_wang = next(m for m in mailoutbox if m.to == ["wang@partner.example.cn"])
    assert "wang@partner.example.cn" in to_anna.body and REQUEST_DE in to_anna.body
    assert REQUEST_EN not in to_anna.body  # rendered in German, not the English fallback
    assert "anna@private.example.de" in to_wang.body and OFFER_ZH in to_wang.body
    assert OFFER_EN not in to_wang.body
    assert "wang@partner.example.cn" in client.get(reverse("matching:introductions")).content.decode()
    steps = {
        "matching.suggestion_accepted",
        "matching.interest_expressed",
        "matching.introduction_forwarded",
        "matching.introduction_accepted",
    }
    for profile in (market["request"], market["offer"]):
        actions = {entry.action for entry in history(profile)}
        assert steps <= actions, profile


def test_no_interest_before_the_agency_accepted_the_suggestion(market, member_a, other_staff, agency_staff):
    with pytest.raises(ValidationError):
        services.express_interest(suggestion_for(market), actor=member_a)
    suggestion = accepted(market, agency_staff)
    with pytest.raises(PermissionDenied):
        services.express_interest(suggestion, actor=other_staff)
    services.express_interest(suggestion, actor=member_a)
    with pytest.raises(ValidationError):
        services.express_interest(suggestion, actor=member_a)


def test_a_declined_introduction_exchanges_nothing(
    market, agency_staff, partner_staff, member_a, member_b, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        introduction = services.express_interest(accepted(market, agency_staff), actor=member_a)
        services.forward(introduction, actor=partner_staff)
        services.decline_introduction(introduction, actor=member_b)
    assert all("anna@private.example.de" not in m.body and "wang@" not in m.body for m in mailoutbox)
    assert services.contacts_visible(introduction, member_a) is None


# --- re-embedding and trips -----------------------------------------------------------------------------


def test_a_reembed_run_progresses_to_done(
    market, agency_staff, member_a, superuser, django_capture_on_commit_callbacks
):
    for not_an_operator in (member_a, agency_staff):  # re-embedding is platform-wide (decision 0016)
        with pytest.raises(PermissionDenied):
            services.start_reembed("fake", actor=not_an_operator)
    Embedding.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_reembed("fake", actor=superuser)
    run.refresh_from_db()
    assert run.status == ReembedRun.Status.DONE
    assert run.done == run.total == len(services.live_items()) > 0
    assert Embedding.objects.filter(model_name="fake-64").count() == run.total


def test_the_reembed_status_fragment_polls_while_running(client, superuser):
    run = ReembedRun.objects.create(model_name="fake", total=10, done=4, status=ReembedRun.Status.RUNNING)
    client.force_login(superuser)
    fragment = client.get(reverse("matching:reembed_status", args=[run.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and 'value="40"' in fragment


def register(trip, name, org, language):
    return Registration.objects.create(
        delegation=trip,
        family_name=name,
        organisation=org,
        organisation_name=org.name,
        email=f"{name.lower()}@example.org",
        language=language,
        status=Registration.Status.CONFIRMED,
        privacy_notice=PrivacyNotice.current(),
        consent_given_at=timezone.now(),
    )


def test_suggest_meetings_for_a_trip(client, world, market, agency_staff, member_a):
    trip = world.delegation
    alice = register(trip, "Alice", world.private_org, "de")
    bo = register(trip, "Bo", world.partner_org, "zh-hans")
    with pytest.raises(PermissionDenied):
        services.suggest_trip_meetings(trip, actor=member_a)
    client.force_login(agency_staff)
    response = client.post(reverse("matching:trip_meetings", args=[trip.slug]))
    assert response.status_code == 302
    request = MeetingRequest.objects.get(delegation=trip)
    assert {request.requester, request.recipient} == {alice, bo}
    assert request.suggested_by == agency_staff


# --- pages ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_pages_render_in_each_language(client, market, agency_staff, member_a, superuser, language):
    suggestion = accepted(market, agency_staff)
    services.express_interest(suggestion, actor=member_a)
    for user, name, args in [
        (agency_staff, "matching:queue", []),
        (agency_staff, "matching:profile", [market["request"].pk]),
        (member_a, "matching:profile", [market["request"].pk]),
        (member_a, "matching:introductions", []),
        (superuser, "matching:reembed", []),
    ]:
        client.force_login(user)
        with translation.override(language):
            url = reverse(name, args=args)
        page = client.get(url)
        assert page.status_code == 200, (name, language)
        html = page.content.decode()
        assert f'<html lang="{HTML_LANG[language]}"' in html
        if name == "matching:profile":
            assert re.search(r'<td lang="de">[^<]*Spritzgießtechnik', html)
            assert re.search(r'<td lang="zh-Hans">[^<]*Spritzgießtechnik', html)


# --- ranking through the vector store ---------------------------------------------------------------------

WORDS = (
    "Spritzgießtechnik Faserverbund Leichtbau Sensorik Robotik Batterie Wasserstoff Logistik Textil "
    "Maschinenbau Automotive Kunststoff Recycling Medizintechnik Software Cloud Solar Windkraft Gießerei "
    "Lackierung Verpackung Lebensmittel Keramik Glas Optik Laser Elektronik Steuerung Antriebe Pumpen"
).split()


def offers(org, texts, kind=Kind.TECHNOLOGY_OFFER, sector="22.29"):
    """Published public offers without the review round (the ranking, not the workflow, is tested here)."""
    made = []
    for text in texts:
        profile = CooperationProfile(
            organisation=org,
            valid_until=timezone.localdate() + datetime.timedelta(days=200),
            profile_type=kind,
            summary={"de": text},
            description={"de": text},
            partnership_kinds=["licence"],
            visibility=Visibility.PUBLIC,
        )
        made.append(profile_services.save_profile(profile, actor=None, sector_codes=[sector]))
    CooperationProfile.objects.filter(pk__in=[p.pk for p in made]).update(
        status=CooperationProfile.Status.PUBLISHED
    )
    return [CooperationProfile.objects.get(pk=p.pk) for p in made]


def random_texts(n, seed, size=6):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=size, replace=False)) for _ in range(n)]


@pytest.fixture
def crowded(world):
    """Two German technology requests and 70 technology offers: 35 random, 35 repeating the first request's
    words in another sector (so that structure and similarity disagree on the order)."""
    requests = offers(
        world.private_org,
        [
            "Wir suchen Spritzgießtechnik Faserverbund Leichtbau Robotik",
            "Wir suchen Batterie Wasserstoff Solar",
        ],
        kind=Kind.TECHNOLOGY_REQUEST,
    )
    close = [f"Spritzgießtechnik Faserverbund Leichtbau {w}" for w in random_texts(35, seed=4, size=1)]
    candidates = offers(world.partner_org, random_texts(35, seed=3))
    candidates += offers(world.partner_org, close, sector="01.11")
    return requests, candidates


def ranking(entries):
    return [(candidate.pk, round(total, 6)) for total, candidate, _parts, _reasons in entries[: services.TOP]]


def count_scored(monkeypatch):
    """The candidates handed to ``score_candidates`` by the suggestions module, as they are scored."""
    scored = []
    real = suggestions.score_candidates
    monkeypatch.setattr(
        suggestions, "score_candidates", lambda item, cs, e: scored.extend(cs) or real(item, cs, e)
    )
    return scored


def test_a_shortlist_as_wide_as_the_candidates_gives_the_full_ranking(crowded):
    embedder = services.configured_embedder()
    for request in crowded[0]:
        every = ranking(services.rank_every_candidate(request, embedder))
        assert every
        assert ranking(services.rank_from_store(request, embedder, shortlist=70)) == every


def test_the_store_spares_scoring_candidates_beyond_its_shortlist(crowded, monkeypatch):
    request = crowded[0][0]
    embedder = services.configured_embedder()
    stored = [*crowded[0], *crowded[1]]
    found = services.vectors_for(stored, embedder)  # as after a refresh_all
    scored = count_scored(monkeypatch)
    services.rank_from_store(request, embedder, shortlist=20)
    query = found[services.key(request)]
    nearest = sorted(stored, key=lambda c: -float(query @ found[services.key(c)]))[:20]
    # the store's 20 nearest, less the requests themselves (not candidates of a request)
    assert {c.pk for c in scored} == {c.pk for c in nearest if c.organisation_id != request.organisation_id}
    assert len(scored) < len(crowded[1])


def test_with_no_more_candidates_than_the_shortlist_every_one_is_scored(crowded, monkeypatch):
    request = crowded[0][0]
    services.vectors_for(crowded[1], services.configured_embedder())
    asked = []
    monkeypatch.setattr(suggestions.vectorstore, "nearest", lambda *a, **kw: asked.append(a) or [])
    through = [(s.target_id, s.score) for s in services.refresh_suggestions(request)]
    assert not asked  # 70 candidates, shortlist 200
    every = ranking(services.rank_every_candidate(request, services.configured_embedder()))
    assert [(pk, round(score, 4)) for pk, score in every] == through


def test_the_shortlist_grows_while_too_few_of_the_nearest_may_be_offered(world, monkeypatch):
    request = offers(
        world.private_org, ["Wir suchen Spritzgießtechnik Faserverbund Leichtbau"], Kind.TECHNOLOGY_REQUEST
    )[0]
    # the nearest are the own organisation's offers and other requests: none may be offered
    offers(world.private_org, [f"Spritzgießtechnik Faserverbund Leichtbau {w}" for w in WORDS[3:20]])
    offers(world.partner_org, [f"Wir suchen Spritzgießtechnik Faserverbund {w}" for w in WORDS[3:20]],
           kind=Kind.TECHNOLOGY_REQUEST)  # fmt: skip
    far = offers(world.partner_org, random_texts(12, seed=8))
    embedder = services.configured_embedder()
    services.vectors_for(list(CooperationProfile.objects.all()), embedder)
    scored = count_scored(monkeypatch)
    services.rank_from_store(request, embedder, shortlist=5)
    assert {c.pk for c in scored} == {c.pk for c in far}  # grown from 5 until ten could be offered


def test_a_candidate_never_embedded_is_ranked_through_the_store_too(crowded):
    request = crowded[0][0]
    embedder = services.configured_embedder()
    services.vectors_for(crowded[1], embedder)
    twin = offers(
        crowded[1][0].organisation, ["Wir suchen Spritzgießtechnik Faserverbund Leichtbau Robotik"]
    )[0]
    assert not Embedding.objects.filter(target_id=twin.pk, target_type__model="cooperationprofile").exists()
    assert services.rank_from_store(request, embedder, shortlist=5)[0][1] == twin
