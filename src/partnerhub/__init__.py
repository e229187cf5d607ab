"""partnerhub: a partnering platform for regional business-development agencies."""

__version__ = "0.1.0"
