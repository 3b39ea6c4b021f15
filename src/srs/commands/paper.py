"""`srs open` (a card's page of the paper) and `srs draft` (a deck begun from a PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from srs.commands.base import DbOption, app, fail, settings_for
from srs.commands.base import collection as open_store


@app.command("open")
def open_paper(
    ref: Annotated[str, typer.Argument(metavar="CARD", help="CARD_ID or DECK_ID/CARD_ID.")],
    db: DbOption = None,
) -> None:
    """Open the deck's PDF at the card's page ($SRS_PDF_VIEWER, with {file} and {page}), or
    print the paper's URL at that page when the deck has no PDF at hand."""
    from srs.config import paper_cache_dir, pdf_viewer
    from srs.paper.opening import open_stored, opened_lines

    settings = settings_for(db)
    with open_store(settings) as store:
        stored = store.content.find_card(ref)
        opened = open_stored(store, stored, pdf_viewer(), paper_cache_dir())
    for line in opened_lines(opened):
        typer.echo(line)


@app.command("draft")
def draft(
    paper: Annotated[Path, typer.Argument(metavar="PAPER", help="The paper: a .pdf or .txt.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="The deck file to write.")],
    deck_id: Annotated[
        str | None, typer.Option("--id", help="The deck's id (default: from the file name).")
    ] = None,
) -> None:
    """Begin a deck from a paper: its metadata, and a commented-out card skeleton for each
    sentence that states a finding or a limitation. Never finished cards: write them."""
    from srs.config import paper_cache_dir
    from srs.paper.draft import write_draft

    try:
        count = write_draft(paper, output, deck_id, paper_cache_dir())
    except FileExistsError:
        fail(f"{output} already exists; not overwriting it")
    typer.echo(f"wrote {output}: {count} card skeletons to write (they are comments until then)")
