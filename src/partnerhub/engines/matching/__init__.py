"""Cross-lingual matching of cooperation profiles and ideas. Plain Python: never imports Django.

Modules and their public names (the contract between the engine and the platform):

- ``embedders``: ``Embedder`` protocol (``name: str``, ``dim: int``, ``embed(texts) -> np.ndarray`` of
  L2-normalised float32 rows), ``FakeEmbedder`` (deterministic, for tests), the packaged models, and
  ``default_embedder()``.
- ``passages``: ``split_sentences(text)`` and ``split_passages(text, max_chars)`` — sentence-aware also for
  Chinese, which has no spaces.
- ``documents``: ``embed_document(embedder, text) -> np.ndarray`` (passages embedded and pooled, normalised).
- ``index``: ``VectorIndex`` protocol (``add(ids, vectors)``, ``remove(ids)``, ``search(vector, k)`` →
  ``[(id, score)]``, ``save(path)``, ``load(path)``, ``__len__``) with ``ExactIndex`` (numpy),
  ``HnswIndex`` (hnswlib) and, in ``pq``, ``PqIndex`` (faiss fast scan + exact re-ranking);
  ``make_index(n)`` picks exact or PQ by size.
- ``scoring``: ``Item`` (id, lang, text, kind, sectors, region, organisation, side, created), ``WEIGHTS``
  (the one place where weights live), ``score(query, candidate, similarity) -> Score`` (total and parts,
  with reasons), and ``rank(query_items, candidate_items, embedder, k) -> list[list[Match]]``.
- ``learning``: ``Mark(parts, good, weight)``, ``total(parts, weights)`` (a pair's total recomputed from its
  stored parts) and ``fit_weights(marks) -> Learned | None`` (structured weights refitted from feedback marks;
  None below the threshold).
- ``explain``: ``best_sentence_pairs(embedder, text_a, text_b, top=3) -> [(sentence_a, sentence_b, sim)]``.
"""
