"""srs's own Anki note types: the paper card (front and back) and the paper cloze.

Their ids are fixed forever (Anki identifies a note type by id), and their `mod` is when their
templates last changed (`NOTE_TYPE_REVISED`), never the export's time, so that Anki updates a
learner's copy only when they did change. The cloze note type is Anki's own Cloze semantics
(`{{cloze:Text}}`: one card per deletion number, card ord = number - 1) with srs's fields and
style, so a cloze card's items are one note's cards.
"""

from __future__ import annotations

from typing import Any

import genanki

# Fixed forever: Anki identifies the note type by this id, so changing it would fork every learner's
# collection into two note types.
MODEL_ID = 1913580160
MODEL_NAME = "srs paper card"
FIELDS = ("Front", "Back", "Kind", "Source", "Deck", "CardId")

# When the templates or CSS below last changed (Unix seconds). It is the note type's `mod`, so Anki
# updates the note type on import only when this is newer than what it holds. Bump it with any
# change to QFMT, AFMT or CSS.
NOTE_TYPE_REVISED = 1796601600  # 2026-12-07: quotes and the citation styled

# Both sides show the kind badge and the source line; the answer repeats the question above a rule.
QFMT = """\
<div class="srs-card">
<div class="srs-kind srs-kind-{{Kind}}">{{Kind}}</div>
<div class="srs-front">{{Front}}</div>
{{#Source}}<div class="srs-source">{{Source}}</div>{{/Source}}
</div>"""

AFMT = """\
{{FrontSide}}
<hr id="answer">
<div class="srs-card"><div class="srs-back">{{Back}}</div></div>"""

# Colours are variables so that one rule flips them for dark mode. Anki marks dark mode with
# `.nightMode` on the card and `.night_mode` on the body (desktop and mobile clients differ).
CSS = """\
.card {
  --srs-fg: #1f2328; --srs-bg: #ffffff; --srs-muted: #59636e; --srs-rule: #d1d9e0;
  --srs-finding: #1a7f37; --srs-limitation: #9a6700; --srs-misreading: #cf222e;
  font-family: -apple-system, "Segoe UI", "Noto Sans", Helvetica, Arial, sans-serif;
  font-size: 20px; line-height: 1.5; text-align: left;
  color: var(--srs-fg); background-color: var(--srs-bg);
}
.card.nightMode, .night_mode .card {
  --srs-fg: #e6edf3; --srs-bg: #1f2328; --srs-muted: #9198a1; --srs-rule: #3d444d;
  --srs-finding: #3fb950; --srs-limitation: #d29922; --srs-misreading: #f85149;
}
.srs-card { max-width: 40em; margin: 0 auto; }
.srs-kind {
  display: inline-block; padding: 0 0.6em; border: 1px solid currentColor; border-radius: 1em;
  font-size: 0.7em; letter-spacing: 0.05em; text-transform: uppercase;
}
.srs-kind-finding { color: var(--srs-finding); }
.srs-kind-limitation { color: var(--srs-limitation); }
.srs-kind-misreading { color: var(--srs-misreading); }
.srs-ask { font-weight: bold; color: var(--srs-misreading); }
.srs-claim { margin: 0.5em 0; padding-left: 0.8em; border-left: 3px solid var(--srs-rule); }
.srs-source { margin-top: 0.8em; font-size: 0.75em; color: var(--srs-muted); }
.srs-quote { margin: 0.4em 0; font-style: italic; }
.srs-citation { margin-top: 0.8em; font-size: 0.75em; color: var(--srs-muted); }
hr#answer { border: 0; border-top: 1px solid var(--srs-rule); }
code, pre { font-size: 0.9em; }
"""

CLOZE_MODEL_ID = 1913580161
CLOZE_MODEL_NAME = "srs paper cloze"
CLOZE_FIELDS = ("Text", "Back Extra", "Kind", "Source", "Deck", "CardId")
CLOZE_QFMT = """\
<div class="srs-card">
<div class="srs-kind srs-kind-{{Kind}}">{{Kind}}</div>
<div class="srs-front">{{cloze:Text}}</div>
{{#Source}}<div class="srs-source">{{Source}}</div>{{/Source}}
</div>"""
CLOZE_AFMT = """\
<div class="srs-card">
<div class="srs-kind srs-kind-{{Kind}}">{{Kind}}</div>
<div class="srs-front">{{cloze:Text}}</div>
{{#Source}}<div class="srs-source">{{Source}}</div>{{/Source}}
</div>
<hr id="answer">
<div class="srs-card"><div class="srs-back">{{Back Extra}}</div></div>"""
CLOZE_CSS = CSS + ".cloze { font-weight: bold; color: var(--srs-finding); }\n"


class OwnModel(genanki.Model):
    """One of srs's note types, whose `mod` is when its templates changed, not export time."""

    def to_json(self, timestamp: float, deck_id: int) -> dict[str, Any]:
        return super().to_json(NOTE_TYPE_REVISED, deck_id)


def paper_model() -> OwnModel:
    # A fresh instance per export: genanki's to_json mutates the template and field dicts.
    return OwnModel(
        MODEL_ID,
        MODEL_NAME,
        fields=[{"name": name} for name in FIELDS],
        templates=[{"name": "Card", "qfmt": QFMT, "afmt": AFMT}],
        css=CSS,
    )


def cloze_model() -> OwnModel:
    """srs's cloze note type, a fresh instance (genanki's to_json mutates it)."""
    return OwnModel(
        CLOZE_MODEL_ID,
        CLOZE_MODEL_NAME,
        fields=[{"name": name} for name in CLOZE_FIELDS],
        templates=[{"name": "Cloze", "qfmt": CLOZE_QFMT, "afmt": CLOZE_AFMT}],
        css=CLOZE_CSS,
        model_type=genanki.Model.CLOZE,
    )
