"""The load benchmark (Locust): see run.py and docs/performance.md."""
