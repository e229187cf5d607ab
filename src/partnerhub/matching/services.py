"""Matching on the platform, in one place for its callers: every public function of the matching services.

The work lives in modules by concern, each small enough to read in one sitting:

- ``items``: what takes part (live profiles and ideas) and who may be offered to whom (both are candidates);
- ``vectors``: the configured embedder, the text of an item, stored vectors (and the vector store, ``vectorstore``);
- ``scores``: one pair's score and its explanation;
- ``suggestions``: ranking (the vector store's shortlist, then ``ranking``) and keeping suggestions up to
  date both ways after a change;
- ``review``: staff review, feedback, evaluation;
- ``introductions``: double opt-in introductions, contacts and their e-mails;
- ``reembedding``: re-embedding everything with another model, in the background;
- ``trips``: B2B meeting suggestions for a delegation trip.

Every state change checks the actor (``actor=None`` is the system), writes, records an audit entry on the
pipeline items involved — so each step shows in their pipeline history — and queues e-mails, in one
transaction. Views, tasks and other apps import from here.
"""

from partnerhub.matching.introductions import (
    Contact,
    accept_introduction,
    acts_for,
    contact_for,
    contacts_visible,
    decline_introduction,
    express_interest,
    forward,
    is_family_staff,
)
from partnerhub.matching.items import (
    COMPLEMENTS,
    IDEA,
    LANGUAGE_OF_CODE,
    LANGUAGE_OF_COUNTRY,
    PROFILE_KINDS,
    agency_viewer,
    candidate_ideas,
    candidate_profiles,
    candidates_for,
    content_type,
    is_live,
    item_by_key,
    key,
    kind_of,
    live_ideas,
    live_items,
    live_profiles,
)
from partnerhub.matching.reembedding import execute_reembed, may_reembed, offered_models, start_reembed
from partnerhub.matching.review import evaluation, record_feedback, record_step, review, review_queue
from partnerhub.matching.scores import engine_item, max_bonus, shared_keywords, shared_sectors
from partnerhub.matching.suggestions import (
    SHORTLIST,
    TOP,
    offer_to_others,
    rank_candidates,
    rank_every_candidate,
    rank_from_store,
    refresh_all,
    refresh_around,
    refresh_suggestions,
    schedule_refresh,
    sources_near,
    suggestions_of,
    suggestions_to,
)
from partnerhub.matching.trips import MEETINGS_PER_ORGANISATION, suggest_trip_meetings
from partnerhub.matching.vectors import (
    configured_embedder,
    document_text,
    embedder_named,
    forget_vectors,
    model_choices,
    primary_language,
    sentences_text,
    vectors_for,
)

__all__ = [
    "COMPLEMENTS",
    "IDEA",
    "LANGUAGE_OF_CODE",
    "LANGUAGE_OF_COUNTRY",
    "MEETINGS_PER_ORGANISATION",
    "PROFILE_KINDS",
    "SHORTLIST",
    "TOP",
    "Contact",
    "accept_introduction",
    "acts_for",
    "agency_viewer",
    "candidate_ideas",
    "candidate_profiles",
    "candidates_for",
    "configured_embedder",
    "contact_for",
    "contacts_visible",
    "content_type",
    "decline_introduction",
    "document_text",
    "embedder_named",
    "engine_item",
    "evaluation",
    "execute_reembed",
    "express_interest",
    "forget_vectors",
    "forward",
    "is_family_staff",
    "is_live",
    "item_by_key",
    "key",
    "kind_of",
    "live_ideas",
    "live_items",
    "live_profiles",
    "max_bonus",
    "may_reembed",
    "model_choices",
    "offer_to_others",
    "offered_models",
    "primary_language",
    "rank_candidates",
    "rank_every_candidate",
    "rank_from_store",
    "record_feedback",
    "record_step",
    "refresh_all",
    "refresh_around",
    "refresh_suggestions",
    "review",
    "review_queue",
    "schedule_refresh",
    "sentences_text",
    "shared_keywords",
    "shared_sectors",
    "sources_near",
    "start_reembed",
    "suggest_trip_meetings",
    "suggestions_of",
    "suggestions_to",
    "vectors_for",
]
