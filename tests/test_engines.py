"""The Django-free engines: transliteration, EU size classes, search normalisation."""

import ast
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from partnerhub.engines.scripts import has_han, is_latin
from partnerhub.engines.smesize import SizeClass, size_class
from partnerhub.engines.textsearch import build_document, matches, normalise, query_terms
from partnerhub.engines.transliteration import (
    format_person_name,
    split_chinese_name,
    transliterate,
    transliterate_person,
)

ENGINES = Path(__file__).resolve().parent.parent / "src" / "partnerhub" / "engines"


def test_engines_never_import_django():
    for path in ENGINES.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            assert not any(name.split(".")[0] == "django" for name in names), path


@pytest.mark.parametrize(
    ("chinese", "latin"),
    [
        ("扬州市商务局", "Yangzhou Shi Shangwuju"),
        ("凯泽斯劳滕", "Kaizesilaoteng"),
        ("南京", "Nanjing"),
    ],
)
def test_chinese_names_are_transliterated_word_by_word(chinese, latin):
    assert transliterate(chinese) == latin


def test_chinese_person_name_is_family_name_first_without_space_in_own_script():
    assert format_person_name("王", "晓明") == "王晓明"
    assert transliterate_person("王", "晓明") == "Wang Xiaoming"


def test_western_person_name_is_given_name_first():
    assert format_person_name("Becker", "Julia") == "Julia Becker"
    assert transliterate_person("Becker", "Julia") == "Julia Becker"


def test_compound_chinese_family_name_is_split_correctly():
    assert split_chinese_name("欧阳娜娜") == ("欧阳", "娜娜")
    assert split_chinese_name("王晓明") == ("王", "晓明")


@given(st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll"), max_codepoint=0x17F), max_size=30))
def test_latin_text_is_left_unchanged(text):
    assert transliterate(text) == text


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5), min_size=1, max_size=12))
@example("兡")  # a character pypinyin has no reading for
def test_transliteration_of_chinese_is_latin_and_contains_no_characters(text):
    latin = transliterate(text)
    assert not has_han(latin)
    assert is_latin(latin)


@pytest.mark.parametrize(
    ("headcount", "turnover", "balance", "expected"),
    [
        (9, 2_000_000, None, SizeClass.MICRO),
        (10, 2_000_000, None, SizeClass.SMALL),
        (9, 3_000_000, 1_500_000, SizeClass.MICRO),  # balance sheet within the limit suffices
        (9, 3_000_000, 3_000_000, SizeClass.SMALL),
        (49, 10_000_000, None, SizeClass.SMALL),
        (50, 1_000_000, None, SizeClass.MEDIUM),
        (249, 50_000_000, None, SizeClass.MEDIUM),
        (249, 60_000_000, 43_000_000, SizeClass.MEDIUM),
        (249, 60_000_000, 44_000_000, SizeClass.LARGE),
        (250, 1_000_000, 1_000_000, SizeClass.LARGE),
        (30, None, None, SizeClass.SMALL),
    ],
)
def test_eu_size_class_thresholds(headcount, turnover, balance, expected):
    assert size_class(headcount, turnover, balance) is expected


def test_size_class_is_unknown_without_headcount():
    assert size_class(None, 5_000_000) is None


def test_negative_figures_are_rejected():
    with pytest.raises(ValueError):
        size_class(-1)


ORDER = [SizeClass.MICRO, SizeClass.SMALL, SizeClass.MEDIUM, SizeClass.LARGE]


@given(
    st.integers(0, 2000),
    st.integers(0, 2000),
    st.one_of(st.none(), st.integers(0, 10**9)),
    st.one_of(st.none(), st.integers(0, 10**9)),
)
def test_more_staff_never_makes_an_enterprise_smaller(a, b, turnover, balance):
    small, large = sorted((a, b))
    assert ORDER.index(size_class(small, turnover, balance)) <= ORDER.index(
        size_class(large, turnover, balance)
    )


def test_search_folds_umlauts_and_case():
    document = build_document(["Müller Straßenbau GmbH"])
    assert matches(document, query_terms("MULLER strassenbau"))


def test_search_finds_chinese_by_characters_and_by_pinyin():
    document = build_document(["扬州恒通汽车零部件有限公司"])
    assert matches(document, query_terms("汽车零部件"))
    assert matches(document, query_terms("yangzhou"))
    assert not matches(document, query_terms("船舶"))


def test_query_terms_segment_chinese_and_drop_duplicates():
    assert query_terms("汽车 汽车 Sensor") == ["汽车", "sensor"]


@given(st.text(max_size=40))
def test_a_text_always_matches_its_own_words(text):
    document = build_document([text])
    terms = [t for t in query_terms(text) if normalise(t) == t]
    assert matches(document, terms)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Pfalz Robotik GmbH", "PFALZ ROBOTIK"),
        ("扬州恒通汽车零部件有限公司", "Yangzhou Hengtong Qiche Lingbujian Co., Ltd."),
        ("Müller Präzision GmbH & Co. KG", "Muller Prazision"),
    ],
)
def test_the_same_company_written_differently_gets_the_same_key(a, b):
    from partnerhub.engines.dedupe import company_name_key

    assert company_name_key(a) == company_name_key(b)


def test_different_companies_get_different_keys():
    from partnerhub.engines.dedupe import company_name_key

    assert company_name_key("Pfalz Robotik GmbH") != company_name_key("Pfalz Sensorik GmbH")


@pytest.mark.parametrize(
    ("address", "domain"),
    [
        ("https://www.robotik.example.org/about", "robotik.example.org"),
        ("robotik.example.org", "robotik.example.org"),
        ("Anna@Robotik.Example.org", "robotik.example.org"),
        ("", ""),
    ],
)
def test_domain_of_web_and_mail_addresses(address, domain):
    from partnerhub.engines.dedupe import domain_of

    assert domain_of(address) == domain


def test_free_mail_domains_say_nothing_about_an_organisation():
    from partnerhub.engines.dedupe import is_telling_domain

    assert not is_telling_domain("qq.com")
    assert is_telling_domain("robotik.example.org")
