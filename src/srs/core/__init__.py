"""The core: domain types and rules. Standard library and markdown-it-py only; no I/O, no clock."""
