"""Names as the reader expects them: countries in the reader's alphabet, time zones by their local name."""

import pytest
from django import forms
from django.utils import translation
from django_countries.fields import CountryField

from partnerhub.core.collation import sorted_for_reader
from partnerhub.core.timezones import zone_label
from partnerhub.delegations.registration.forms import time_zone_choices


class CountryForm(forms.Form):
    country = CountryField().formfield()


def country_names(language):
    with translation.override(language):
        return [str(label) for value, label in CountryForm().fields["country"].choices if value]


def test_chinese_readers_find_china_under_z_and_germany_under_d():
    names = country_names("zh-hans")
    assert names.index("阿富汗") < names.index("德国") < names.index("英国") < names.index("中国")
    assert names.index("中国") > len(names) * 0.9


def test_german_readers_find_countries_with_umlauts_among_their_letter():
    names = country_names("de")
    assert names.index("Afghanistan") < names.index("Ägypten") < names.index("Albanien")
    assert names.index("Deutschland") < names.index("Österreich") < names.index("Polen")


def test_the_reader_order_sorts_any_names():
    with translation.override("zh-hans"):
        assert sorted_for_reader(["扬州", "北京", "南京"]) == ["北京", "南京", "扬州"]


@pytest.mark.parametrize(
    "language, berlin, shanghai",
    [
        ("de", "Mitteleuropäische Zeit", "Chinesische Zeit"),
        ("en", "Central European Time", "China Time"),
        ("zh-hans", "中欧时间", "中国时间"),
    ],
)
def test_time_zones_are_named_in_the_readers_language(language, berlin, shanghai):
    assert zone_label("Europe/Berlin", language) == berlin
    assert zone_label("Asia/Shanghai", language) == shanghai
    assert "Europe/" not in zone_label("Europe/Berlin", language, city=True)


def test_the_time_zone_choices_name_the_city_and_the_zone_in_the_readers_language():
    with translation.override("zh-hans"):
        labels = dict(time_zone_choices("Asia/Shanghai"))
    assert labels["Asia/Shanghai"].startswith("上海（中国时间）")
    assert labels["Europe/Berlin"].startswith("柏林（中欧时间）")


@pytest.mark.parametrize(
    "family, given, shown",
    [("陈", "静", "陈静"), ("陈 ", " 静", "陈静"), ("Becker", "Julia", "Julia Becker"), ("", "静", "静")],
)
def test_users_and_participants_are_named_in_their_names_own_order(family, given, shown):
    from partnerhub.accounts.models import User
    from partnerhub.engines.transliteration import format_person_name

    assert format_person_name(family, given) == shown
    assert User(first_name=given, last_name=family).get_full_name() == shown
