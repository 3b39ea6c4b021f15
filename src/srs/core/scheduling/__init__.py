"""Schedulers and the answer rule. A scheduler is pure: the day is passed in, never read."""
