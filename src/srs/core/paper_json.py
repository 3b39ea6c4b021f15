"""A deck's paper, a card's quotes and figures as the store keeps them: JSON text, and back."""

from __future__ import annotations

import json
from dataclasses import asdict

from srs.core.model import Figure, Paper, Quote


def quotes_json(quotes: tuple[Quote, ...]) -> str | None:
    """A card's quotes as the store keeps them (JSON), None for a card without any."""
    if not quotes:
        return None
    return json.dumps([{"text": q.text, "page": q.page} for q in quotes], ensure_ascii=False)


def quotes_from_json(raw: str | None) -> tuple[Quote, ...]:
    """The quotes `quotes_json` wrote."""
    if not raw:
        return ()
    return tuple(Quote(str(q["text"]), q.get("page")) for q in json.loads(raw))


def paper_json(paper: Paper | None) -> str | None:
    """A deck's paper as the store keeps it (JSON), None for a deck without one."""
    if paper is None:
        return None
    return json.dumps(asdict(paper), ensure_ascii=False)


def paper_from_json(raw: str | None) -> Paper | None:
    """The paper `paper_json` wrote."""
    if not raw:
        return None
    fields = json.loads(raw)
    fields["authors"] = tuple(fields.get("authors", ()))
    return Paper(**fields)


def figures_json(figures: tuple[Figure, ...]) -> str | None:
    """A card's figures as the store keeps them (JSON), None for a card without any."""
    if not figures:
        return None
    rows = [{"path": f.path, "alt": f.alt, "digest": f.digest, "kind": f.kind} for f in figures]
    return json.dumps(rows, ensure_ascii=False)


def figures_from_json(raw: str | None) -> tuple[Figure, ...]:
    """The figures `figures_json` wrote."""
    if not raw:
        return ()
    return tuple(
        Figure(str(f["path"]), str(f["alt"]), str(f["digest"]), str(f["kind"]))
        for f in json.loads(raw)
    )
