"""What a module of checks needs from the deck checker (`checker.Checker`), as a protocol, so
that such modules take the checker without importing it."""

from __future__ import annotations

from typing import Any, Literal, Protocol

from srs.core.deckfile.scanner import KeyPath


class Checker(Protocol):
    """What these checks need from the checker: positions, fields, and a place for errors."""

    def at(self, path: KeyPath, part: Literal["key", "value"] = "value") -> tuple[int, int]:
        """Position of a key path's value (or key)."""
        ...

    def char_at(self, path: KeyPath, value: str, index: int) -> tuple[int, int]:
        """Position of one character of a string value."""
        ...

    def error(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        """Record an error."""
        ...

    def warn(self, code: str, msg: str, where: tuple[int, int], card: str | None = None) -> None:
        """Record a warning."""
        ...

    def string_field(
        self,
        table: dict[str, Any],
        path: KeyPath,
        key: str,
        what: str,
        required: bool,
        card: str | None = None,
    ) -> str | None:
        """A string field's value when it is usable."""
        ...

    def raw_html(self, value: str, path: KeyPath, key: str, card: str | None) -> None:
        """Report raw HTML in a value."""
        ...
