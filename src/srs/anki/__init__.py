"""Everything that knows Anki's formats, in one room.

- `export.py`: decks -> an .apkg package through genanki (`srs export anki`);
  `note_types.py` the note types of cards imported from Anki, kept on export;
  `text.py` tags, one-line titles and plain fields in Anki's terms;
  `export_scheduling.py` the learner's schedule and log written into the package
  (`--with-progress`).
- `import_/`: an Anki package -> a deck file, and Anki's scheduling -> srs state and log
  (`srs import anki`).

Nothing outside this package names an Anki format; the commands import these modules lazily,
since genanki and the import's libraries are heavy.
"""
