"""The suggestion card explains a match in the reader's language, with its numbers, claiming only what is there.

The suggestions are written here as the platform stores them (score, fit, parts, reasons, explanation), so
the card is tested whatever the ranking computes; the card is rendered through the test client.
"""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching.items import content_type
from partnerhub.matching.models import Suggestion
from partnerhub.pipeline.stages import stages_for
from partnerhub.privacy.models import PrivacyNotice
from partnerhub.profiles.models import CooperationProfile

pytestmark = pytest.mark.django_db

Kind = CooperationProfile.ProfileType
REQUEST_DE = "Wir suchen einen Partner für Leichtbau-Verbundwerkstoffe in der Automobilindustrie."
OFFER_ZH = "我们提供汽车轻量化复合材料的联合研发。"


def profile(org, kind, summary, **extra):
    return CooperationProfile.objects.create(
        organisation=org,
        agency=org.owner_agency,
        profile_type=kind,
        summary=summary,
        description=summary,
        valid_until=timezone.localdate() + datetime.timedelta(days=100),
        status=CooperationProfile.Status.PUBLISHED,
        **extra,
    )


def idea(agency, title):
    notice = PrivacyNotice.current() or PrivacyNotice.objects.create(version=1, text={"en": "Privacy"})
    return ProjectIdea.objects.create(
        agency=agency,
        title=title,
        description=title,
        area="technology",
        organisation_name="汽车材料研究院",
        organisation_kind="research",
        organisation_country="CN",
        contact_name="李",
        contact_email="li@idea.example.cn",
        privacy_notice=notice,
        consent_given_at=timezone.now(),
        email_confirmed_at=timezone.now(),
        language="zh",
        stage=stages_for(agency)[0],
    )


def suggest(source, target, *, fit=59, similarity=0.593, reasons=(), pairs=(), shared_sectors=()):
    return Suggestion.objects.create(
        source_type=content_type(source),
        source_id=source.pk,
        target_type=content_type(target),
        target_id=target.pk,
        source_agency=source.agency,
        source_organisation=source.organisation,
        target_agency=target.agency,
        target_organisation=target.organisation or source.organisation,
        score=similarity + 0.1,
        fit=fit,
        parts={"semantic": similarity},
        reasons=[f"semantic: {similarity:.3f}", *reasons],
        explanation={"pairs": list(pairs), "shared_sectors": list(shared_sectors), "shared_keywords": []},
    )


@pytest.fixture
def pair(world):
    request = profile(world.private_org, Kind.TECHNOLOGY_REQUEST, {"de": REQUEST_DE})
    offer = profile(world.partner_org, Kind.TECHNOLOGY_OFFER, {"zh-hans": OFFER_ZH})
    return request, offer


def card(client, user, item, language) -> str:
    client.force_login(user)
    with translation.override(language):
        name = "matching:idea" if isinstance(item, ProjectIdea) else "matching:profile"
        page = client.get(reverse(name, args=[item.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    start = html.index("<article")
    return html[start : html.index("</article>", start)]


STRONG_PAIR = {"a": REQUEST_DE, "a_lang": "de", "b": OFFER_ZH, "b_lang": "zh-hans", "similarity": 0.612}
WEAK_PAIR = {"a": "Erster Schritt wären Muster.", "a_lang": "de", "b": "欢迎联系。", "b_lang": "zh-hans",
             "similarity": 0.21}  # fmt: skip


@pytest.mark.parametrize(
    ("language", "fit", "words"),
    [
        ("de", "Passung 59 von 100", ["sehr ähnliche Themen", "bietet Technologie", "NACE-Klasse", "bedeutungsnah"]),
        ("en", "Fit 59 of 100", ["closely related subjects", "offers technology", "NACE class", "close in meaning"]),
        ("zh-hans", "匹配度 59/100", ["主题密切相关", "提供技术", "NACE小类", "含义相近"]),
    ],
)  # fmt: skip
def test_the_card_shows_the_fit_and_names_what_matched_in_the_readers_language(
    client, pair, agency_staff, language, fit, words
):
    request, offer = pair
    suggest(request, offer, reasons=["sector: same class 22.29"], pairs=[STRONG_PAIR, WEAK_PAIR])
    html = card(client, agency_staff, request, language)
    assert fit in html
    for word in words:
        assert word in html
    assert REQUEST_DE in html and OFFER_ZH in html  # the pair above the threshold
    assert WEAK_PAIR["a"] not in html  # the one below it is not shown
    assert "0.59" not in html and "0,59" not in html and "0.61" not in html  # no raw similarity


@pytest.mark.parametrize(
    ("language", "days"), [("de", "1.500 Tagen"), ("en", "1,500 days"), ("zh-hans", "1,500 天")]
)
def test_numbers_the_card_writes_follow_the_readers_locale(
    client, pair, agency_staff, settings, language, days
):
    settings.USE_THOUSAND_SEPARATOR = True  # off by default (decision 0025); on, the groups show the locale
    request, offer = pair
    suggest(request, offer, fit=87, reasons=["freshness: 1500 days old"])
    html = card(client, agency_staff, request, language)
    assert days in html
    assert {"de": "Passung 87 von 100", "en": "Fit 87 of 100", "zh-hans": "匹配度 87/100"}[language] in html


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_the_card_shows_no_decimal_number_in_any_language(client, pair, agency_staff, language):
    """Similarities are words and the fit a whole number: no "0.59" in a German sentence, nor anywhere."""
    request, offer = pair
    suggest(request, offer, similarity=0.5934, reasons=["sector: none shared", "freshness: 12 days old"])
    html = card(client, agency_staff, request, language)
    assert not re.search(r"\d[.,]\d", html), html


def test_the_german_card_has_no_english_decimal_point(client, pair, agency_staff):
    request, offer = pair
    suggest(request, offer, reasons=["sector: same section C", "freshness: 12 days old"])
    html = card(client, agency_staff, request, "de")
    assert not re.search(r"\d\.\d", html), html


@pytest.mark.parametrize(
    ("language", "level", "sentence"),
    [
        ("de", "class C22.29", "Beide sind in derselben NACE-Klasse tätig: 22.29 Herstellung von sonstigen Kunststoffwaren."),
        ("de", "group 22.2", "Beide sind in derselben NACE-Gruppe tätig: 22.2 Herstellung von Kunststoffwaren."),
        ("de", "division 22", "Beide sind in derselben NACE-Abteilung tätig: 22 Herstellung von Gummi- und Kunststoffwaren."),
        ("de", "section C", "Beide sind in demselben NACE-Abschnitt tätig: C Verarbeitendes Gewerbe/Herstellung von Waren."),
        ("en", "class C22.29", "Both work in the same NACE class: 22.29 Manufacture of other plastic products."),
        ("en", "section C", "Both work in the same NACE section: C Manufacturing."),
        ("zh-hans", "class C22.29", "双方属于同一NACE小类：22.29 "),
        ("zh-hans", "group 22.2", "双方属于同一NACE中类：22.2 "),
        ("zh-hans", "division 22", "双方属于同一NACE大类：22 "),
        ("zh-hans", "section C", "双方属于同一NACE门类：C "),
    ],
)  # fmt: skip
def test_each_nace_level_has_its_own_sentence(language, level, sentence):
    from partnerhub.matching.reasons import describe

    with translation.override(language):
        assert describe(f"sector: same {level}").startswith(sentence)


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_a_low_similarity_is_not_called_similar(client, pair, agency_staff, language):
    request, offer = pair
    suggest(request, offer, similarity=0.06, pairs=[WEAK_PAIR])
    html = card(client, agency_staff, request, language)
    with translation.override(language):
        from django.utils.translation import gettext as _

        similar = [
            _("The two texts are about closely related subjects."),
            _("The two texts touch on related subjects."),
        ]
        little = _("The texts have little in common: this suggestion rests on the other reasons.")
    assert not any(s in html for s in similar)
    assert little in html
    assert WEAK_PAIR["a"] not in html
    assert {"de": "wenig gemeinsam", "en": "little in common", "zh-hans": "共同点不多"}[language] in html


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_two_requests_are_not_told_an_offer_meets_a_request(client, world, agency_staff, language):
    """Even when the stored reasons (from any engine) say so: the kinds of both items decide."""
    request = profile(world.private_org, Kind.TECHNOLOGY_REQUEST, {"de": REQUEST_DE})
    other = profile(world.partner_org, Kind.TECHNOLOGY_REQUEST, {"zh-hans": "我们寻找复合材料技术。"})
    suggest(
        request,
        other,
        reasons=["complementarity: technology_request↔technology_offer", "penalty: both request"],
    )
    html = card(client, agency_staff, request, language)
    with translation.override(language):
        from django.utils.translation import gettext as _

        offer_meets = _(
            "One side offers technology and the other is looking for technology: the kinds fit together."
        )
        both = _("Both are looking for technology: neither offers what the other needs.")
    assert offer_meets not in html
    assert both in html
    assert {
        "de": "Beide suchen Technologie",
        "en": "Both are looking for technology",
        "zh-hans": "双方都在寻找技术",
    }[language] in html


@pytest.mark.parametrize("language", ["de", "en", "zh-hans"])
def test_two_research_requests_get_their_own_sentence(client, world, agency_staff, language):
    first = profile(world.private_org, Kind.RD_REQUEST, {"de": REQUEST_DE})
    second = profile(
        world.partner_org, Kind.RD_REQUEST, {"zh-hans": "寻求汽车轻量化复合材料的联合研发伙伴。"}
    )
    suggest(first, second, reasons=["complementarity: research_cooperation↔research_cooperation"])
    html = card(client, agency_staff, first, language)
    expected = {
        "de": "Beide suchen eine Forschungs- und Entwicklungskooperation",
        "en": "Both seek research and development cooperation",
        "zh-hans": "双方都在寻求研发合作",
    }
    assert expected[language] in html
    assert {"de": "Angebot", "en": "offers", "zh-hans": "提供"}[language] not in html.split("facts")[0]


def test_a_card_whose_target_is_a_project_idea(client, world, agency_staff):
    """An idea has no sectors and no organisation region: the card names its kind and leaves the rest out."""
    request = profile(world.private_org, Kind.TECHNOLOGY_REQUEST, {"de": REQUEST_DE})
    offer = profile(world.private_org, Kind.TECHNOLOGY_OFFER, {"de": "Wir bieten Verbundwerkstoffe."})
    target = idea(world.partner_agency, "汽车轻量化复合材料联合研发")
    suggest(offer, target, fit=None)
    html = card(client, agency_staff, offer, "de")
    assert "汽车轻量化复合材料联合研发" in html
    assert 'lang="zh-Hans"' in html
    assert "Projektidee" in html
    assert "Die Projektidee ließe sich mit der angebotenen Technologie umsetzen." in html
    assert "Passung" not in html  # no fit stored: no number rather than a made-up one
    assert request.pk  # the request is not part of this card


def test_the_region_sentence_names_the_region(client, world, agency_staff):
    request = profile(world.private_org, Kind.TECHNOLOGY_REQUEST, {"de": REQUEST_DE})
    request.target_regions.add(world.partner_region)
    offer = profile(world.partner_org, Kind.TECHNOLOGY_OFFER, {"zh-hans": OFFER_ZH})
    suggest(request, offer, reasons=["region: targeted"])
    html = card(client, agency_staff, request, "en")
    assert (
        "The suggested partner is based in Region partner-region, where this item looks for partners." in html
    )


@pytest.mark.parametrize(
    ("fit", "similarity", "sentence"),
    [
        (70, 0.38, "The two texts are about closely related subjects."),  # centred scale (rows with a fit)
        (None, 0.38, "The two texts touch on related subjects."),  # raw cosine of an old row
        (40, 0.22, "The two texts touch on related subjects."),
        (None, 0.22, "The texts have little in common: this suggestion rests on the other reasons."),
    ],
)
def test_the_text_band_follows_the_scale_the_row_was_scored_on(
    client, pair, agency_staff, fit, similarity, sentence
):
    request, offer = pair
    suggest(request, offer, fit=fit, similarity=similarity)
    assert sentence in card(client, agency_staff, request, "en")
