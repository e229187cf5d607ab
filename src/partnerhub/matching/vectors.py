"""Document vectors: the configured embedder, the text each item is embedded from, and the stored vectors.

A vector is stored per item and model (``Embedding``) and re-computed only when the item's text changed.
Every stored or forgotten vector is passed on to the vector store (``vectorstore``), which answers
"which items are nearest to this vector" without scoring every candidate.
"""

import hashlib
import threading
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from partnerhub.core.i18n import languages_of
from partnerhub.engines.matching import centering, documents, embedders
from partnerhub.ideas.models import ProjectIdea
from partnerhub.matching import vectorstore
from partnerhub.matching.items import LANGUAGE_OF_CODE, LANGUAGE_OF_COUNTRY, content_type, key
from partnerhub.matching.models import Embedding
from partnerhub.profiles.models import CooperationProfile

_embedders: dict[str, object] = {}


def embedder_named(name: str):
    """An embedder by short name (``default``, ``fake``, ``use``, …); kept, since loading a model is slow."""
    if name not in _embedders:
        if name == "default":
            _embedders[name] = embedders.default_embedder()
        else:
            _embedders[name] = embedders.make_embedder(name)
    return _embedders[name]


def configured_embedder():
    return embedder_named(settings.MATCHING_EMBEDDER)


def model_choices() -> list[str]:
    return ["default", *embedders.MODELS]


def second_embedder(embedder):
    """The model that re-scores the shortlist of ``embedder`` (E5 for the default model when it runs
    here, decision 0012), or None: the tests' fake embedder and models being tried rank alone."""
    if embedder.name != embedder_named("default").name or not embedders.e5_available():
        return None
    return embedder_named("e5")


# --- the text of an item ---------------------------------------------------------------------------------


def primary_language(item) -> str:
    """The language the item is mainly written in: the organisation's own where it wrote in that."""
    if isinstance(item, ProjectIdea):
        return LANGUAGE_OF_CODE.get(item.language.lower(), settings.LANGUAGE_CODE)
    written = languages_of(item.description) or languages_of(item.summary)
    own = LANGUAGE_OF_COUNTRY.get(str(item.organisation.country))
    if own in written:
        return own
    return written[0] if written else settings.LANGUAGE_CODE


def _in(value, language: str) -> str:
    data = getattr(value, "data", value)
    if isinstance(data, dict):
        return data.get(language) or next((t for t in data.values() if t), "")
    return str(data or "")


def sentences_text(item) -> tuple[str, str]:
    """(language, text) of the item's prose in its main language, for the sentence pairs."""
    language = primary_language(item)
    if isinstance(item, ProjectIdea):
        return language, "\n".join(t for t in (item.title, item.description, item.partner_sought) if t)
    summary, description = _in(item.summary, language), _in(item.description, language)
    return language, f"{summary}\n{description}".strip()


def document_text(item) -> str:
    """What is embedded: the prose in its main language, with keywords and technologies."""
    _language, text = sentences_text(item)
    if isinstance(item, CooperationProfile):
        tags = [str(t) for t in [*item.keywords, *item.technologies]]
        if tags:
            text += "\n" + ", ".join(tags)
    return text


# --- stored vectors --------------------------------------------------------------------------------------


def vectors_for(items: list, embedder, *, index: bool = True) -> dict[tuple[int, int], np.ndarray]:
    """The items' document vectors for this embedder: stored ones whose text is unchanged, others embedded
    now and stored (with model name and dimension) and, with ``index``, handed to the vector store (the
    second model's vectors are not: nobody searches by them)."""
    found: dict[tuple[int, int], np.ndarray] = {}
    missing = []
    by_type: dict[ContentType, list] = {}
    for item in items:
        by_type.setdefault(content_type(item), []).append(item)
    for ct, group in by_type.items():
        stored = {
            e.target_id: e
            for e in Embedding.objects.filter(
                target_type=ct, target_id__in=[i.pk for i in group], model_name=embedder.name
            )
        }
        for item in group:
            text = document_text(item)
            digest = hashlib.sha256(text.encode()).hexdigest()
            row = stored.get(item.pk)
            if row is not None and row.text_hash == digest and row.dim == embedder.dim:
                found[key(item)] = row.as_array()
            else:
                missing.append((item, text, digest))
    if not missing:
        return found
    rows = list(documents.embed_documents(embedder, [text for _i, text, _d in missing]))
    written = []
    for (item, _text, digest), vector in zip(missing, rows, strict=True):
        embedding, _created = Embedding.objects.update_or_create(
            target_type=content_type(item),
            target_id=item.pk,
            model_name=embedder.name,
            defaults={"dim": int(vector.shape[0]), "vector": vector.tobytes(), "text_hash": digest},
        )
        written.append(embedding)
        found[key(item)] = vector
    if index:
        vectorstore.stored(written)
    return found


def forget_vectors(keys: list[tuple[int, int]]) -> int:
    """Items that no longer take part in matching lose their vectors, in every model and in the store.

    Kept vectors of withdrawn or closed items would only crowd the store's nearest neighbours; an item
    that comes back is embedded again (a fraction of a second). Returns how many vectors were deleted.
    """
    if not keys:
        return 0
    wanted = set(keys)
    by_type: dict[int, list[int]] = {}
    for type_id, pk in wanted:
        by_type.setdefault(type_id, []).append(pk)
    doomed = []
    for type_id, pks in by_type.items():
        doomed += list(
            Embedding.objects.filter(target_type_id=type_id, target_id__in=pks).values_list(
                "pk", "target_type_id", "target_id", "model_name"
            )
        )
    if not doomed:
        return 0
    Embedding.objects.filter(pk__in=[pk for pk, *_rest in doomed]).delete()
    by_model: dict[str, list[tuple[int, int]]] = {}
    for _pk, type_id, target_id, model_name in doomed:
        by_model.setdefault(model_name, []).append((type_id, target_id))
    for model_name, gone in by_model.items():
        vectorstore.removed(model_name, gone)
    return len(doomed)


# --- language means of the stored vectors ----------------------------------------------------------------

MEANS_SAMPLE = 2000  # most recently written vectors a mean is taken from: plenty for a 512-d mean
MEANS_CHANGED = 0.1  # recompute once this share of the model's vectors was written or deleted since


@dataclass
class _Means:
    count: int
    computed_at: object
    means: dict[str, np.ndarray]


_means: dict[str, _Means] = {}
_means_lock = threading.Lock()


def _changed_enough(cached: _Means, rows) -> bool:
    count = rows.count()
    written = rows.filter(updated_at__gte=cached.computed_at).count()
    moved = written + max(0, cached.count - (count - written))  # written since, plus deleted since
    return moved > MEANS_CHANGED * max(cached.count, 1)


def language_means(embedder) -> dict[str, np.ndarray]:
    """Each language's mean of this model's stored vectors (centering.py), kept per process.

    Taken from the ``MEANS_SAMPLE`` most recently written vectors with each item's main language; kept
    until more than ``MEANS_CHANGED`` of the model's vectors were written or deleted since (two indexed
    counts per call), so a score barely moves between two refreshes while a world that grows or is
    re-embedded gets fresh means. With few vectors a mean is shrunk towards zero (centering.SHRINK).
    """
    from django.utils import timezone

    rows = Embedding.objects.filter(model_name=embedder.name)
    with _means_lock:
        cached = _means.get(embedder.name)
        if cached is not None and not _changed_enough(cached, rows):
            return cached.means
        computed_at = timezone.now()
        sample = list(
            rows.order_by("-updated_at", "-pk").values_list("target_type_id", "target_id", "dim", "vector")[
                :MEANS_SAMPLE
            ]
        )
        languages = _languages_of([(type_id, pk) for type_id, pk, _dim, _v in sample])
        vectors, langs = [], []
        for type_id, pk, dim, vector in sample:
            language = languages.get((type_id, pk))
            if language is not None and dim == embedder.dim:
                vectors.append(np.frombuffer(bytes(vector), dtype=np.float32))
                langs.append(language)
        means = centering.language_means(np.stack(vectors), langs) if vectors else {}
        _means[embedder.name] = _Means(rows.count(), computed_at, means)
        return means


def _languages_of(keys: list[tuple[int, int]]) -> dict[tuple[int, int], str]:
    by_type: dict[int, list[int]] = {}
    for type_id, pk in keys:
        by_type.setdefault(type_id, []).append(pk)
    found: dict[tuple[int, int], str] = {}
    for type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is ProjectIdea:
            items = ProjectIdea.objects.filter(pk__in=pks)
        elif model is CooperationProfile:
            items = CooperationProfile.objects.filter(pk__in=pks).select_related("organisation")
        else:
            continue
        for item in items:
            found[(type_id, item.pk)] = primary_language(item)
    return found
