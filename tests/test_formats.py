"""Every readable format round-trips with no loss; QTI and Anki packages are well formed."""

from __future__ import annotations

import io
import sqlite3
import tempfile
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bank.formats import read_records
from bank.formats.csvfile import dumps_csv
from bank.formats.gift import dumps_gift, read_gift
from bank.formats.jsonl import dumps_jsonl
from bank.formats.qti import QTI_NS, dumps_qti
from bank.models import Blueprint, Flaw, Item, Provenance, Source
from bank.records import parse_record
from bank.text import normalize_text
from tests.conftest import make_item

# Text as users write it: any printable Unicode, including GIFT's and CSV's special characters.
text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"
    )
    | st.sampled_from(list("~=#{}:\\,\"'\n\t;|[]<>&")),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "" and s == s.strip())


@st.composite
def items(draw: st.DrawFn) -> Item:
    options = draw(st.lists(text, min_size=4, max_size=4, unique_by=normalize_text))
    return Item(
        id=draw(st.from_regex(r"[a-z0-9][a-z0-9_.-]{0,20}", fullmatch=True)),
        domain=draw(st.integers(1, 8)),
        topic=draw(st.none() | text),
        stem=draw(text),
        options=options,
        answer=draw(st.sampled_from("ABCD")),
        rationale=draw(st.none() | text),
        sources=draw(st.lists(st.builds(Source, note=text, quote=text), max_size=2)),
        difficulty=draw(st.none() | st.sampled_from(["easy", "medium", "hard"])),
        bloom=draw(st.none() | st.sampled_from(["remember", "understand", "apply", "analyze"])),
        extra=draw(
            st.dictionaries(
                st.from_regex(r"x_[a-z]{1,8}", fullmatch=True), text | st.integers(), max_size=2
            )
        ),
        provenance=draw(
            st.just(Provenance())
            | st.builds(
                Provenance,
                generator=st.just("offline"),
                model=st.none() | text,
                prompt_version=st.none() | text,
                notes=st.lists(text, max_size=2),
                tokens_in=st.integers(0, 10**6),
                cost_usd=st.floats(0, 5),
            )
        ),
        status=draw(st.sampled_from(["candidate", "pending_review", "approved"])),
        flaws=draw(
            st.lists(
                st.builds(Flaw, code=st.just("vague_terms"), where=st.just("B"), evidence=text),
                max_size=1,
            )
        ),
    )


def _generated_ok(it: Item) -> bool:
    return not it.generated or bool(it.rationale and it.sources)


def _read_back(data: str, fmt: str, blueprint: Blueprint) -> list[Item]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"items.{fmt}"
        path.write_text(data, encoding="utf-8")
        out = []
        for raw in read_records(path, fmt):
            assert raw.record is not None, raw.error
            parsed = parse_record(raw.record, blueprint)
            assert parsed.item is not None, parsed.problems
            out.append(parsed.item)
        return out


ROUND_TRIP = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@ROUND_TRIP
@given(st.lists(items(), max_size=4).map(lambda xs: [x for x in xs if _generated_ok(x)]))
def test_jsonl_round_trips(blueprint: Blueprint, batch: list[Item]) -> None:
    assert _read_back(dumps_jsonl(batch), "jsonl", blueprint) == batch


@ROUND_TRIP
@given(st.lists(items(), max_size=4).map(lambda xs: [x for x in xs if _generated_ok(x)]))
def test_csv_round_trips(blueprint: Blueprint, batch: list[Item]) -> None:
    assert _read_back(dumps_csv(batch), "csv", blueprint) == batch


@ROUND_TRIP
@given(st.lists(items(), max_size=4).map(lambda xs: [x for x in xs if _generated_ok(x)]))
def test_gift_round_trips(blueprint: Blueprint, batch: list[Item]) -> None:
    assert _read_back(dumps_gift(batch), "gift", blueprint) == batch


def test_plain_moodle_gift_reads_with_feedback_and_weights() -> None:
    text = """// a comment
$CATEGORY: $course$/cmas/5 Insurance
::Q1:: Which form bills \\{professional\\} claims?{
  ~UB-04#Institutional
  =CMS-1500#Right
  ~%0%ADA
  ~NCPDP
  ####The CMS-1500 is for professional claims.
}

::Q2:: Name a form {=CMS-1500 =UB-04}
"""
    first, second = list(read_gift(text))
    assert first.record == {
        "id": "Q1",
        "stem": "Which form bills {professional} claims?",
        "options": ["UB-04", "CMS-1500", "ADA", "NCPDP"],
        "answer_index": 1,
        "rationale": "The CMS-1500 is for professional claims.",
        "domain": "5",
        "category": "$course$/cmas/5 Insurance",
    }
    assert second.record is None and "exactly one correct answer" in (second.error or "")


def test_qti_package_has_manifest_and_one_item_per_question() -> None:
    batch = [make_item(i) for i in range(3)]
    batch[1] = make_item(1, answer="C", stem="Is <b>this</b> & that escaped?")
    with zipfile.ZipFile(io.BytesIO(dumps_qti(batch))) as zf:
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        hrefs = [
            r.get("href")
            for r in manifest.iter("{http://www.imsglobal.org/xsd/imscp_v1p1}resource")
        ]
        assert len(hrefs) == 3 and all(h in zf.namelist() for h in hrefs)
        root = ET.fromstring(zf.read(hrefs[1]))
    q = f"{{{QTI_NS}}}"
    assert root.tag == q + "assessmentItem"
    assert root.find(f"{q}responseDeclaration/{q}correctResponse/{q}value").text == "C"  # type: ignore[union-attr]
    choices = root.findall(f".//{q}simpleChoice")
    assert [c.get("identifier") for c in choices] == ["A", "B", "C", "D"]
    assert root.find(f".//{q}prompt").text == "Is <b>this</b> & that escaped?"  # type: ignore[union-attr]
    assert root.find(f"{q}responseProcessing").get("template", "").endswith("match_correct")  # type: ignore[union-attr]


def test_anki_package_holds_one_note_per_item(tmp_path: Path) -> None:
    from bank.formats.anki import write_anki

    batch = [make_item(i) for i in range(4)]
    path = tmp_path / "deck.apkg"
    assert write_anki(batch, path) == 4
    with zipfile.ZipFile(path) as zf:
        (tmp_path / "col.sqlite").write_bytes(zf.read("collection.anki2"))
    con = sqlite3.connect(tmp_path / "col.sqlite")
    fields = [r[0].split("\x1f") for r in con.execute("SELECT flds FROM notes ORDER BY id")]
    con.close()
    assert sorted(f[0] for f in fields) == sorted(it.id for it in batch)
    assert all(f[3].startswith("A. CMS-1500") for f in fields)
