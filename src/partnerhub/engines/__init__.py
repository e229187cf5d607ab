"""Algorithms with no web concern. Nothing under ``partnerhub.engines`` imports Django."""
