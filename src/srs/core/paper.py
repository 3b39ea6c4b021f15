"""The paper a deck is about: its citation and its address online. Standard library only."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Paper:
    """The paper a deck is about, as its `[deck] paper` table gives it; every field optional.
    `pdf` is a path relative to the deck file, to a copy the author keeps."""

    title: str = ""
    authors: tuple[str, ...] = ()
    year: int | None = None
    arxiv: str = ""
    doi: str = ""
    url: str = ""
    pdf: str = ""

    def citation(self) -> str:
        """One line naming the paper: authors (year). Title. arXiv:id or DOI or URL."""
        parts: list[str] = []
        if self.authors:
            names = self.authors[0] + (" et al." if len(self.authors) > 2 else "")
            if len(self.authors) == 2:
                names = f"{self.authors[0]} and {self.authors[1]}"
            parts.append(names + (f" ({self.year})" if self.year else ""))
        elif self.year:
            parts.append(f"({self.year})")
        if self.title:
            parts.append(self.title)
        link = self.url
        if self.arxiv:
            link = f"arXiv:{self.arxiv}"
        elif self.doi:
            link = f"doi:{self.doi}"
        if link:
            parts.append(link)
        return ". ".join(parts)

    def page_url(self, page: int | None) -> str:
        """The paper's address online, at `page` when given; "" when the deck names none."""
        if self.arxiv:
            base = f"https://arxiv.org/pdf/{self.arxiv}"
        elif self.url:
            base = self.url
        elif self.doi:
            return f"https://doi.org/{self.doi}"
        else:
            return ""
        return f"{base}#page={page}" if page else base
