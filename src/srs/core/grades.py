"""The 0-5 grades of srs and what they mean elsewhere: each rule written once.

- the pass mark: a grade of 3 or more is a successful recall (below it, a lapse);
- the drill mark: a card graded below 4 comes back the same day until it is graded 4 or 5;
- Anki's four answer buttons (1 Again, 2 Hard, 3 Good, 4 Easy), which FSRS's ratings share:
  0-2 Again, 3 Hard, 4 Good, 5 Easy, and back: Again 1, Hard 3, Good 4, Easy 5.

SQL uses these through the constants (or bound parameters), never through a literal of its own.
"""

from __future__ import annotations

PASS_MARK = 3
"""The lowest grade that counts as a successful recall."""

DRILL_PASS = 4
"""A same-day drill repeats until the card is graded at least this."""

AGAIN, HARD, GOOD, EASY = 1, 2, 3, 4  # Anki's answer buttons, and FSRS's ratings

_BUTTON_OF_GRADE = (AGAIN, AGAIN, AGAIN, HARD, GOOD, EASY)
_GRADE_OF_BUTTON = {AGAIN: 1, HARD: 3, GOOD: 4, EASY: 5}


def passed(grade: int) -> bool:
    """True for a grade that counts as a successful recall."""
    return grade >= PASS_MARK


def anki_button(grade: int) -> int:
    """A 0-5 grade as Anki's answer button (and FSRS's rating): 0-2 Again, 3 Hard, 4 Good,
    5 Easy."""
    return _BUTTON_OF_GRADE[grade]


def grade_of_button(button: int) -> int | None:
    """Anki's answer button as a 0-5 grade (Again 1, Hard 3, Good 4, Easy 5); None for a value
    that is no button."""
    return _GRADE_OF_BUTTON.get(button)
