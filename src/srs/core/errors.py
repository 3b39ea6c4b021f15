"""Domain errors and deck diagnostics. The CLI turns every `SrsError` into one line on stderr and
exit code 1 (a deck's diagnostics into one line each), in one place: `srs.cli.main`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in a deck file, at an exact 1-based line and column."""

    path: str
    line: int
    col: int
    severity: Severity
    code: str
    message: str
    card_id: str | None = None

    def format(self) -> str:
        """Ruff-style one-liner: `path:line:col: severity: message (card 'id') [code]`."""
        card = f" (card {self.card_id!r})" if self.card_id is not None else ""
        line = f"{self.path}:{self.line}:{self.col}: {self.severity}: {self.message}{card}"
        # Paths, keys and ids come from the deck's author: shown, never obeyed by the terminal.
        from srs.core.cardtext import printable  # loaded only when a diagnostic is printed

        return f"{printable(line)} [{self.code}]"


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
        problems: tuple[Diagnostic, ...] = (),
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

    @classmethod
    def from_diagnostics(cls, problems: Sequence[Diagnostic]) -> DeckFileError:
        """The error for a deck refused with `problems`: placed at the first, carrying them all."""
        first = problems[0]
        return cls(first.message, first.path, first.line, first.col, first.card_id, tuple(problems))


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


class CardGoneError(SrsError):
    """A card was retired or removed (by another command) while a session had it queued."""


class AnsweredElsewhereError(SrsError):
    """Undo refused: the card was answered again, elsewhere, after the answer to take back."""


class SuspensionError(SrsError):
    """A card named to suspend is already suspended, or one named to unsuspend is not."""


class AnkiImportError(SrsError):
    """An Anki package cannot be imported: not a package, a newer format, or an unwritable or
    existing output file."""


class ConnectionLostError(StoreError):
    """The database server went away in the middle of a command; what was committed is kept."""


class NotAnInstructorError(StoreError):
    """A learner tried to change what only a class's instructor may change."""


class ServerNotAnsweringError(ConnectionLostError):
    """The database server stopped answering (frozen or unreachable); the connection was closed
    and what was committed before is kept."""
