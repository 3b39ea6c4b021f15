"""What `srs merge anki` did (or, with `--dry-run`, would do): its one line, its warnings and
its `--json` object."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from srs.core.cardtext import printable


@dataclass(frozen=True)
class MergeReport:
    """What a merge did (or, with `dry_run`, would do), and what it left alone."""

    path: Path
    cards: int
    """srs's cards found in the package."""
    answers: int
    """Answers added to the log."""
    states: int
    """Cards whose state became Anki's."""
    suspended: int
    buried: int
    foreign: int
    """Notes that did not come from srs, left alone."""
    foreign_fronts: tuple[str, ...]
    missing: int
    """Cards of the merged decks the package lacks (deleted in Anki?), kept."""
    skipped: int
    """srs's cards whose Anki values are out of range, or whose note names another card."""
    dry_run: bool

    @property
    def summary(self) -> str:
        """The one line a merge prints."""
        verb = "would merge" if self.dry_run else "merged"
        line = (
            f"{verb} {printable(str(self.path))}: {self.cards} cards from srs, {self.answers} "
            f"answers added, {self.states} states replaced, {self.suspended} suspended, "
            f"{self.buried} buried"
        )
        return line + ("; nothing changed (--dry-run)" if self.dry_run else "")

    @property
    def warnings(self) -> tuple[str, ...]:
        """One line for each thing left alone."""
        found: list[str] = []
        if self.foreign:
            shown = ", ".join(repr(printable(f)) for f in self.foreign_fronts)
            found.append(
                f"{self.foreign} notes did not come from srs and were left alone ({shown}); "
                "import them with 'srs import anki'"
            )
        if self.missing:
            found.append(
                f"{self.missing} cards of the merged decks are not in the package (deleted in "
                "Anki?); kept in srs"
            )
        if self.skipped:
            found.append(
                f"{self.skipped} cards were skipped: their scheduling or review log holds a value "
                "no Anki writes (a date, button or interval out of range), or their note names "
                "another card; nothing of them changed"
            )
        return tuple(found)

    def as_json(self) -> dict[str, object]:
        """The report for `--json`."""
        return {
            "package": str(self.path),
            "dry_run": self.dry_run,
            "cards": self.cards,
            "answers_added": self.answers,
            "states_replaced": self.states,
            "suspended": self.suspended,
            "buried": self.buried,
            "not_from_srs": self.foreign,
            "missing": self.missing,
            "skipped": self.skipped,
        }
