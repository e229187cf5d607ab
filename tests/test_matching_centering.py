"""Language centering: a language's common direction no longer outweighs what texts say."""

import numpy as np
import pytest

from partnerhub.engines.matching.centering import center, center_together, language_means


def biased_world(seed=0, n=40, dim=32, bias=3.0):
    """n topics, each written once in German and once in Chinese; every language adds its own offset."""
    rng = np.random.default_rng(seed)
    topics = rng.standard_normal((n, dim))
    offsets = {"de": bias * rng.standard_normal(dim), "zh": bias * rng.standard_normal(dim)}
    de = topics + offsets["de"] + 0.3 * rng.standard_normal((n, dim))
    zh = topics + offsets["zh"] + 0.3 * rng.standard_normal((n, dim))
    unit = lambda a: (a / np.linalg.norm(a, axis=1, keepdims=True)).astype(np.float32)  # noqa: E731
    return unit(de), unit(zh)


def recall_at_1(queries, candidates):
    """Share of queries whose most similar candidate is the one at the query's own position."""
    return float(np.mean(np.argmax(queries @ candidates.T, axis=1) == np.arange(len(queries))))


def test_centering_lets_a_german_text_find_its_chinese_counterpart_despite_the_language_offset():
    de, zh = biased_world(seed=0)
    other_de, _ = biased_world(seed=1)  # German texts on other topics: the hard distractors
    other_de = other_de + (de.mean(axis=0) - other_de.mean(axis=0))  # the same German offset
    other_de /= np.linalg.norm(other_de, axis=1, keepdims=True)
    candidates = np.vstack([zh, other_de])
    langs = ["zh"] * len(zh) + ["de"] * len(other_de)
    # Uncentred, most German queries prefer a German text about something else.
    assert recall_at_1(de, candidates) < 0.5
    q, c = center_together([de, candidates], [["de"] * len(de), langs])
    assert recall_at_1(q, c) > 0.9


def test_means_are_shrunk_towards_zero_when_a_language_has_few_texts():
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.0, 1.0]], dtype=np.float32)
    means = language_means(vectors, ["de", "zh", "zh"], shrink=2)
    np.testing.assert_allclose(means["de"], [1 / 3, 0.0], atol=1e-6)
    np.testing.assert_allclose(means["zh"], [0.0, 0.5], atol=1e-6)


def test_centred_vectors_are_unit_length_and_a_vector_equal_to_its_mean_keeps_its_direction():
    vectors = np.array([[0.6, 0.8], [1.0, 0.0]], dtype=np.float32)
    out = center(vectors, ["de", "zh"], {"de": np.array([0.6, 0.8]), "zh": np.array([0.5, 0.0])})
    np.testing.assert_allclose(np.linalg.norm(out, axis=1), [1.0, 1.0], atol=1e-6)
    np.testing.assert_allclose(out[0], [0.6, 0.8], atol=1e-6)  # nothing left after centering
    np.testing.assert_allclose(out[1], [1.0, 0.0], atol=1e-6)


def test_a_language_without_a_mean_is_left_as_it_is():
    vectors = np.array([[3.0, 4.0]], dtype=np.float32)
    np.testing.assert_allclose(center(vectors, ["en"], {"de": np.array([1.0, 0.0])}), [[0.6, 0.8]], atol=1e-6)


def test_vectors_and_languages_must_agree_in_number():
    with pytest.raises(ValueError):
        language_means(np.zeros((2, 3)), ["de"])
    with pytest.raises(ValueError):
        center(np.zeros((1, 3)), ["de", "zh"], {})
