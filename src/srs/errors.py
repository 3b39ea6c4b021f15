"""Domain errors. The CLI turns every `SrsError` into one line on stderr and exit code 1."""

from __future__ import annotations


class SrsError(Exception):
    """Base of every error the user should see as a one-line message, never a traceback."""


class DeckFileError(SrsError):
    """A deck file is malformed. Carries the file, line and column of the first problem.

    `problems` holds every diagnostic found when a checker collected more than one.
    """

    def __init__(
        self,
        message: str,
        path: str = "<deck>",
        line: int = 1,
        col: int = 1,
        card_id: str | None = None,
        problems: tuple[object, ...] = (),
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.col = col
        self.card_id = card_id
        self.problems = problems
        where = f"{path}:{line}:{col}"
        card = f" (card {card_id!r})" if card_id else ""
        super().__init__(f"{where}: {message}{card}")


class StoreError(SrsError):
    """The database cannot be opened, read or written."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer version of srs; it is left untouched."""


class UnknownDeckError(SrsError):
    """A deck id was named that the collection does not hold."""


class UnknownCardError(SrsError):
    """A card id was named that the collection does not hold."""


class ConfigError(SrsError):
    """An option or environment variable has a value that cannot be used."""


class ExportError(SrsError):
    """An export cannot be written."""
