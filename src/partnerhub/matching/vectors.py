"""Document vectors: the configured embedder, the text each item is embedded from, and the stored vectors.

A vector is stored per item and model (``Embedding``) and re-computed only when the item's text changed.
Every stored or forgotten vector is passed on to the vector store (``vectorstore``), which answers
"which items are nearest to this vector" without scoring every candidate.
"""

import hashlib

import numpy as np
from django.conf import settings
from django.contrib.contenttypes.models import ContentType

from partnerhub.core.i18n import languages_of
from partnerhub.engines.matching import documents, embedders
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


def vectors_for(items: list, embedder) -> dict[tuple[int, int], np.ndarray]:
    """The items' document vectors for this embedder: stored ones whose text is unchanged, others embedded
    now and stored (with model name and dimension) and handed to the vector store."""
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
