"""srs: spaced repetition for research papers."""

__version__ = "0.1.0"
