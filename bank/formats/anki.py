"""Anki deck (.apkg) through genanki: one note per item, stable ids so re-imports update."""

from __future__ import annotations

import html
import tempfile
from collections.abc import Iterable
from pathlib import Path

import genanki

from bank.models import Item

# Fixed ids: Anki matches models and decks by id, so a re-exported deck updates in place.
MODEL_ID = 1_607_392_319
DECK_ID = 2_059_400_110

MODEL = genanki.Model(
    MODEL_ID,
    "cmas-prep multiple choice",
    fields=[{"name": n} for n in ("ItemId", "Stem", "Options", "Answer", "Rationale", "Domain")],
    templates=[
        {
            "name": "Card 1",
            "qfmt": "<div class=stem>{{Stem}}</div><ol type=A>{{Options}}</ol>",
            "afmt": "{{FrontSide}}<hr id=answer><b>{{Answer}}</b><p>{{Rationale}}</p>"
            "<small>Domain {{Domain}} · {{ItemId}}</small>",
        }
    ],
    css=".card { font-family: sans-serif; font-size: 18px; } .stem { margin-bottom: 8px; }",
)


def field_html(text: str) -> str:
    """Text as an Anki field's HTML: escaped, each line break a <br> (Anki shows HTML)."""
    return html.escape(text).replace("\n", "<br>")


def _note(it: Item) -> genanki.Note:
    options = "".join(f"<li>{field_html(o)}</li>" for o in it.options)
    answer = f"{it.answer}. {field_html(it.key_text)}"
    return genanki.Note(
        model=MODEL,
        fields=[
            html.escape(it.id),
            field_html(it.stem),
            options,
            answer,
            field_html(it.rationale or ""),
            str(it.domain),
        ],
        guid=genanki.guid_for(it.id),
        # Anki splits tags at whitespace: a topic is one tag, its words joined by "_".
        tags=[f"domain{it.domain}", *(["_".join(it.topic.split())] if it.topic else [])],
    )


def write_anki(items: Iterable[Item], path: Path, deck_name: str = "CMAS prep") -> int:
    """Write the items as one Anki deck to `path` (.apkg); returns how many were written."""
    deck = genanki.Deck(DECK_ID, deck_name)
    count = 0
    for it in items:
        deck.add_note(_note(it))
        count += 1
    genanki.Package(deck).write_to_file(str(path))
    return count


def dumps_anki(items: Iterable[Item], deck_name: str = "CMAS prep") -> bytes:
    """The .apkg file's bytes (genanki writes only to a file: through a temporary one)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "deck.apkg"
        write_anki(items, path, deck_name)
        return path.read_bytes()
