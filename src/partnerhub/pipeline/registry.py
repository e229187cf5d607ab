"""Which models run through the pipeline, by the short name used in URLs."""

from django.apps import apps
from django.http import Http404

KINDS = {
    "ideas": "ideas.ProjectIdea",
    "profiles": "profiles.CooperationProfile",
}


def model_for(kind: str):
    try:
        return apps.get_model(KINDS[kind])
    except (KeyError, LookupError) as exc:
        raise Http404 from exc


def kind_of(item) -> str:
    label = f"{item._meta.app_label}.{item._meta.object_name}"
    return next(kind for kind, model in KINDS.items() if model == label)
