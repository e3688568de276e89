"""Exports checked by the tools that import them, not by our own readers: the official
`anki` package imports the deck, gift-pegjs (the GIFT grammar Moodle tooling uses) parses
the GIFT file, lxml parses every QTI file and checks its identifiers with XML Schema's own
NCName type, Canvas's feedback rules keep the rationale, and pyslet (an independent QTI 2.1
implementation) reads the content package, parses, renders and scores every item. (No PyPI,
npm or Debian package ships the IMS QTI 2.1 and CP 1.1 XSDs, so the package is not validated
against them here.)
Also: the spreadsheet CSV, QTI identifiers that never collide, and empty exports that say
so."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from typer.testing import CliRunner

from app.cli import app
from bank.errors import InputError
from bank.formats.csvfile import dumps_csv
from bank.formats.gift import dumps_gift
from bank.formats.qti import QTI_NS, dumps_qti, item_file, qti_identifier
from bank.models import Item
from bank.store import open_store
from tests.conftest import make_item

GIFT_PEGJS = "gift-pegjs@1.0.2"
Q = f"{{{QTI_NS}}}"


def tricky_items() -> list[Item]:
    """Items with what broke the tools: line breaks, markup, formula-like and typographic
    text, and ids that clean to the same identifier or differ only in case."""
    return [
        make_item(
            1,
            id="Q 1",
            stem="A patient's balance is $120.\nThe adjustment code reads:",
            options=["=ADJ -25", "+10 credit", "@SUM(A1)", "-25"],
            rationale="Adjustments reduce the balance.\nThe code names the reason: “CO-45”.",
            topic="Billing and coding",
        ),
        make_item(2, id="Q_1", stem="Is <b>this</b> & that escaped?", answer="C"),
        make_item(3, id="0abc", stem="Café – which form? It’s the CMS-1500.", rationale=None),
        make_item(4, id="Ab", stem="Which claim form is for professional claims?"),
        make_item(5, id="ab", stem="Which claim form is for institutional claims?"),
    ]


def run(*args: object) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    return result.exit_code, result.stdout, result.stderr


def seed(db: Path, items: list[Item]) -> None:
    with open_store(db) as store:
        store.save_items([it.model_copy(update={"status": "approved"}) for it in items])


# ---- QTI 2.1 ----------------------------------------------------------------------------
def package(items: list[Item]) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(dumps_qti(items))) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def item_xml(files: dict[str, bytes], item_id: str) -> etree._Element:
    return etree.fromstring(files[item_file(qti_identifier(item_id))])


# Canvas's QTI importer (instructure/canvas-lms, gems/plugins/qti_exporter, Qti::
# AssessmentItemConverter#get_feedback) files a modalFeedback by its identifier, in this
# order; a feedback that matches none of them is dropped.
CANVAS_FEEDBACK = [
    (re.compile(r"wrong|incorrect|(_IC$)", re.I), "incorrect_comments"),
    (re.compile(r"correct|(_C$)", re.I), "correct_comments"),
    (re.compile(r"solution", re.I), "example_solution"),
    (re.compile(r"general_|_all", re.I), "neutral_comments"),
    (re.compile(r"feedback_(\d*)_fb", re.I), "answer_comments"),
]


def canvas_keeps_as(identifier: str) -> str | None:
    return next((kept for rule, kept in CANVAS_FEEDBACK if rule.search(identifier)), None)


def test_canvas_keeps_the_rationale_as_the_questions_general_feedback() -> None:
    files = package(tricky_items())
    feedback = [
        fb
        for name, data in files.items()
        if name.startswith("items/")
        for fb in etree.fromstring(data).iter(Q + "modalFeedback")
    ]
    assert len(feedback) == 4  # every item with a rationale
    for fb in feedback:
        # Shown whatever the answer: neither "correct" nor "incorrect" feedback.
        assert canvas_keeps_as(fb.get("identifier")) == "neutral_comments"
        assert fb.get("showHide") == "hide" and fb.get("outcomeIdentifier") == "FEEDBACK"
    assert canvas_keeps_as("RATIONALE") is None  # what the old export wrote: dropped


def test_line_breaks_are_br_elements_and_markup_stays_text() -> None:
    files = package(tricky_items())
    first = item_xml(files, "Q 1")
    prompt = first.find(f".//{Q}prompt")
    assert prompt is not None and [c.tag for c in prompt] == [Q + "br"]
    assert prompt.text == "A patient's balance is $120." and prompt[0].tail.startswith("The adj")
    feedback = first.find(f"{Q}modalFeedback")
    assert feedback is not None and len(feedback.findall(Q + "br")) == 1
    prompt = item_xml(files, "Q_1").find(f".//{Q}prompt")
    assert (
        prompt is not None and prompt.text == "Is <b>this</b> & that escaped?" and len(prompt) == 0
    )


def test_ids_that_clean_alike_get_distinct_stable_identifiers_and_files() -> None:
    items = tricky_items()
    files = package(items)
    roots = [etree.fromstring(data) for name, data in files.items() if name.startswith("items/")]
    idents = [r.get("identifier") for r in roots]
    assert len(set(idents)) == len(items)
    assert qti_identifier("Q_1") == "Q_1" and qti_identifier("d5-3f2a9c01b7de") == "d5-3f2a9c01b7de"
    assert re.fullmatch(r"Q_1_[0-9a-f]{8}", qti_identifier("Q 1"))
    assert re.fullmatch(r"item_0abc_[0-9a-f]{8}", qti_identifier("0abc"))
    names = [n for n in files if n.startswith("items/")]
    assert len({n.casefold() for n in names}) == len(names)  # apart on Windows and macOS too
    # An identifier depends on its id alone: the same in an export of that item by itself.
    alone = package([items[0]])
    assert item_xml(alone, "Q 1").get("identifier") == item_xml(files, "Q 1").get("identifier")
    manifest = etree.fromstring(files["imsmanifest.xml"])
    hrefs = {
        r.get("href") for r in manifest.iter("{http://www.imsglobal.org/xsd/imscp_v1p1}resource")
    }
    assert hrefs == set(names)


def test_a_collision_that_remains_names_both_ids_and_writes_nothing(
    db: Path, tmp_path: Path
) -> None:
    spelled = qti_identifier("Q 1")  # an id spelled like another's cleaned identifier
    items = [make_item(1, id="Q 1"), make_item(2, id=spelled)]
    with pytest.raises(InputError) as caught:
        dumps_qti(items)
    assert "'Q 1'" in str(caught.value) and repr(spelled) in str(caught.value)
    seed(db, items)
    out = tmp_path / "out.zip"
    code, _, err = run("export", "--format", "qti21", "-o", out, "--db", db)
    assert code == 1 and "'Q 1'" in err and repr(spelled) in err and "Traceback" not in err
    assert not out.exists()


def test_every_qti_file_is_well_formed_to_a_strict_parser() -> None:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    for data in package(tricky_items()).values():
        etree.fromstring(data, parser)  # raises on anything not well formed, e.g. U+000B


def test_every_identifier_is_an_xml_schema_ncname() -> None:
    """What the QTI and CP XSDs type as xs:ID or xs:NCName, checked by libxml2's XSD types."""
    schema = etree.XMLSchema(
        etree.fromstring(
            '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">'
            '<xs:element name="v" type="xs:NCName"/></xs:schema>'
        )
    )
    files = package(tricky_items())
    found = [
        value
        for data in files.values()
        for element in etree.fromstring(data).iter()
        for name, value in element.attrib.items()
        if name in ("identifier", "identifierref", "responseIdentifier", "outcomeIdentifier")
    ]
    assert "Q 1" not in found and len(found) > 20
    for value in found:
        v = etree.Element("v")
        v.text = value
        assert schema.validate(v), (value, schema.error_log)


# ---- QTI in an independent engine -------------------------------------------------------
# pyslet, an independent implementation of QTI 2.1 and IMS Content Packaging, opens the
# package as an LMS does: it unpacks the zip, reads imsmanifest.xml, parses each item,
# renders it as a form and scores a submission in an item session. Two steps of a delivery
# engine it leaves to its caller, taken here as the QTI 2.1 spec says: it holds no response
# processing templates (ResponseProcessing.run runs inline rules only, so a template item
# would score 0 whatever the answer), and it decides no modalFeedback's visibility.

# The rules of IMS's published template .../rptemplates/match_correct, which an engine holds
# built in and runs for an item that names it. Written out, not taken from bank.formats.qti:
# a misspelt template URI in the export would be unknown here, as it is to an LMS.
MATCH_CORRECT_URI = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
RP_TEMPLATES = {
    MATCH_CORRECT_URI: b"""<?xml version="1.0"?>
<responseProcessing xmlns="http://www.imsglobal.org/xsd/imsqti_v2p1">
  <responseCondition>
    <responseIf>
      <match><variable identifier="RESPONSE"/><correct identifier="RESPONSE"/></match>
      <setOutcomeValue identifier="SCORE">
        <baseValue baseType="float">1</baseValue>
      </setOutcomeValue>
    </responseIf>
    <responseElse>
      <setOutcomeValue identifier="SCORE">
        <baseValue baseType="float">0</baseValue>
      </setOutcomeValue>
    </responseElse>
  </responseCondition>
</responseProcessing>""",
}


# pyslet's own code calls the old names of its methods, each call a DeprecationWarning.
PYSLET_WARNINGS = pytest.mark.filterwarnings("ignore::DeprecationWarning:pyslet")


@pytest.fixture(scope="module")
def pyslet() -> Any:
    """The pyslet package with the modules used here loaded (a dev extra: missing fails)."""
    for name in ("pyslet.imscpv1p2", "pyslet.qtiv2.xml", "pyslet.html401"):
        pytest.importorskip(name)
    return pytest.importorskip("pyslet")


def export_qti(items: list[Item], path: Path) -> Path:
    from bank.transfer import export_items

    assert export_items(items, "qti21", path) == len(items)
    return path


def open_in_engine(pyslet: Any, path: Path) -> dict[str, Any]:
    """The package's items as pyslet reads them, by identifier: {identifier: AssessmentItem}.

    Checks the manifest on the way as an importer does: every resource is a QTI 2.1 item
    whose entry point is one of its files, that file is in the package and is an
    assessmentItem, and every file in the package belongs to a resource.
    """
    cp, qti = pyslet.imscpv1p2, pyslet.qtiv2
    package = cp.ContentPackage(str(path))
    try:
        manifest = package.manifest.root
        assert isinstance(manifest, cp.Manifest)
        found: dict[str, Any] = {}
        for resource in manifest.Resources.Resource:
            assert resource.type == qti.core.IMSQTI_ITEM_RESOURCETYPE, str(resource.id)
            entry = resource.get_entry_point()
            assert entry is not None, (
                f"{resource.id}: its href {resource.href} is none of its files"
            )
            local = entry.package_path(package)
            assert local is not None and package.dPath.join(local).isfile(), f"no file {entry.href}"
            doc = qti.xml.QTIDocument(base_uri=str(entry.resolve_uri(entry.href)))
            doc.read()  # the package is unpacked in a temporary folder: read it now
            item = doc.root
            assert isinstance(item, qti.items.AssessmentItem), (str(local), item)
            assert item.identifier not in found, item.identifier
            found[item.identifier] = item
        unlisted = [str(p) for p, files in package.fileTable.items() if not files]
        assert unlisted == [], "files in the package that no resource lists"
        return found
    finally:
        package.close()


def engine_text(pyslet: Any, element: Any) -> str:
    """An element's text as pyslet parsed it, a <br/> as a line break; other markup fails."""
    parts = []
    for child in element.get_children():
        if isinstance(child, str):
            parts.append(child)
        elif isinstance(child, pyslet.html401.Br):
            parts.append("\n")
        else:
            raise AssertionError(f"markup {child!r} in {element!r}: the text was not escaped")
    return "".join(parts)


def render_form(pyslet: Any, item: Any) -> tuple[Any, str]:
    """Start an item session and render the item as pyslet's HTML form: (session, page)."""
    state = pyslet.qtiv2.variables.ItemSessionState(item)
    state.begin_session()
    page = pyslet.html401.XHTMLDocument(root=pyslet.html401.HTML)
    state.begin_attempt(page.root.add_child(pyslet.html401.Body))
    return state, str(page)


def radios(pyslet: Any, page: str) -> list[tuple[str, str]]:
    """The (name, value) of each radio button of a rendered form, in order."""
    doc = pyslet.html401.XHTMLDocument()
    doc.read(src=page.encode("utf-8"))
    inputs = doc.root.find_children_depth_first(pyslet.html401.Input)
    return [(i.name, i.value) for i in inputs if i.type == pyslet.html401.InputType.radio]


def feedback_shown(pyslet: Any, feedback: Any, state: Any) -> bool:
    """QTI 2.1's rule: "show" shows the feedback when its outcome matches its identifier,
    "hide" shows it unless it matches. The outcome must be a declared identifier outcome."""
    declared = feedback.outcomeIdentifier in state and state.is_outcome(feedback.outcomeIdentifier)
    assert declared, f"modalFeedback on {feedback.outcomeIdentifier}, no such outcome"
    value = state[feedback.outcomeIdentifier]
    assert value.baseType == pyslet.qtiv2.variables.BaseType.identifier, "not an identifier"
    if not value:  # NULL
        matches = False
    elif value.cardinality() == pyslet.qtiv2.variables.Cardinality.single:
        matches = value.value == feedback.identifier
    else:
        matches = feedback.identifier in value.value
    return matches != (feedback.showHide == pyslet.qtiv2.core.ShowHide.hide)


def submit(pyslet: Any, item: Any, form: dict[str, str]) -> tuple[float, list[str]]:
    """One attempt in pyslet's item session, the form posted as a browser would: the
    SCORE response processing gives and the text of every modalFeedback then shown."""
    state, _ = render_form(pyslet, item)
    state.submit_session(form)  # ends the attempt: outcome defaults, then inline rules
    processing = item.ResponseProcessing
    assert processing is not None, "no responseProcessing: nothing scores the item"
    if not processing.ResponseRule:
        assert processing.template in RP_TEMPLATES, f"unknown template {processing.template}"
        template = pyslet.qtiv2.xml.QTIDocument()
        template.read(src=RP_TEMPLATES[processing.template])
        template.root.run(state)
    shown = [
        engine_text(pyslet, fb) for fb in item.QTIModalFeedback if feedback_shown(pyslet, fb, state)
    ]
    return state["SCORE"].value, shown


@PYSLET_WARNINGS
def test_an_independent_engine_reads_the_package_and_each_item_as_written(
    pyslet: Any, tmp_path: Path
) -> None:
    items = tricky_items()
    found = open_in_engine(pyslet, export_qti(items, tmp_path / "package.zip"))
    qti = pyslet.qtiv2
    assert sorted(found) == sorted(qti_identifier(it.id) for it in items)
    for it in items:
        item = found[qti_identifier(it.id)]
        assert qti.core.validate_identifier(item.identifier) == item.identifier  # an NCName
        assert item.title.startswith(f"{it.id} (domain {it.domain}")  # the id, spaces and all
        assert not item.adaptive and not item.timeDependent
        [decl] = item.ResponseDeclaration
        assert (decl.identifier, decl.cardinality, decl.baseType) == (
            "RESPONSE",
            qti.variables.Cardinality.single,
            qti.variables.BaseType.identifier,
        )
        [interaction] = item.find_children_depth_first(qti.interactions.ChoiceInteraction)
        assert interaction.responseIdentifier == "RESPONSE" and interaction.maxChoices == 1
        assert engine_text(pyslet, interaction.Prompt) == it.stem
        choices = [(c.identifier, engine_text(pyslet, c)) for c in interaction.SimpleChoice]
        assert choices == list(zip("ABCD", it.options, strict=True))
        _, page = render_form(pyslet, item)
        assert radios(pyslet, page) == [("RESPONSE", letter) for letter in "ABCD"]
    # The candidate sees the markup as text, and the line break as a break.
    _, page = render_form(pyslet, found[qti_identifier("Q_1")])
    assert "Is &lt;b&gt;this&lt;/b&gt; &amp; that escaped?" in page
    _, page = render_form(pyslet, found[qti_identifier("Q 1")])
    assert re.search(r"A patient's balance is \$120\.<br\s*/>The adjustment code", page)


@PYSLET_WARNINGS
def test_the_engine_scores_only_the_key_and_shows_the_rationale_after_any_answer(
    pyslet: Any, tmp_path: Path
) -> None:
    items = tricky_items()
    found = open_in_engine(pyslet, export_qti(items, tmp_path / "package.zip"))
    for it in items:
        item = found[qti_identifier(it.id)]
        _, page = render_form(pyslet, item)
        for name, value in radios(pyslet, page):
            score, shown = submit(pyslet, item, {name: value})
            assert score == (1.0 if value == it.answer else 0.0), (it.id, value, score)
            assert shown == ([it.rationale] if it.rationale else []), (it.id, value)
        assert submit(pyslet, item, {})[0] == 0.0  # no answer, no credit


@PYSLET_WARNINGS
def test_the_engine_checks_fail_on_a_broken_package(pyslet: Any, tmp_path: Path) -> None:
    """The checks above are not vacuous: a package with the key moved to another choice, or
    with its FEEDBACK outcome undeclared, fails them."""
    items = [make_item(1, id="Q 1", answer="B")]
    path = export_qti(items, tmp_path / "package.zip")

    def broken(edit: Callable[[etree._Element], None]) -> Path:
        with zipfile.ZipFile(path) as zf:
            files = {name: zf.read(name) for name in zf.namelist()}
        name = item_file(qti_identifier("Q 1"))
        root = etree.fromstring(files[name])
        edit(root)
        files[name] = etree.tostring(root, xml_declaration=True, encoding="utf-8")
        out = tmp_path / f"{edit.__name__}.zip"
        with zipfile.ZipFile(out, "w") as zf:
            for n, data in files.items():
                zf.writestr(n, data)
        return out

    def move_key(root: etree._Element) -> None:
        value = root.find(f"{Q}responseDeclaration/{Q}correctResponse/{Q}value")
        assert value is not None and value.text == "B"
        value.text = "C"

    def undeclare_feedback(root: etree._Element) -> None:
        [decl] = [d for d in root.iter(Q + "outcomeDeclaration") if d.get("identifier") != "SCORE"]
        root.remove(decl)

    [item] = open_in_engine(pyslet, path).values()
    assert [submit(pyslet, item, {"RESPONSE": x})[0] for x in "ABCD"] == [0, 1, 0, 0]
    [item] = open_in_engine(pyslet, broken(move_key)).values()
    assert [submit(pyslet, item, {"RESPONSE": x})[0] for x in "ABCD"] == [0, 0, 1, 0]
    [item] = open_in_engine(pyslet, broken(undeclare_feedback)).values()
    with pytest.raises(AssertionError, match="no such outcome"):
        submit(pyslet, item, {"RESPONSE": "B"})


# ---- Anki -------------------------------------------------------------------------------
def test_the_official_anki_package_imports_the_deck(tmp_path: Path) -> None:
    anki_collection = pytest.importorskip("anki.collection")
    from bank.formats.anki import write_anki

    items = tricky_items()
    deck = tmp_path / "deck.apkg"
    write_anki(items, deck)
    col = anki_collection.Collection(str(tmp_path / "collection.anki2"))
    try:
        response = col.import_anki_package(
            anki_collection.ImportAnkiPackageRequest(package_path=str(deck))
        )
        assert len(response.log.new) == len(items) and not response.log.conflicting
        notes = {n.fields[0]: n for n in (col.get_note(i) for i in col.find_notes(""))}
    finally:
        col.close()
    first = notes["Q 1"]
    assert first.fields[1] == "A patient&#x27;s balance is $120.<br>The adjustment code reads:"
    assert "<br>The code names the reason: “CO-45”." in first.fields[4]
    assert "<li>=ADJ -25</li>" in first.fields[2]
    assert sorted(first.tags) == ["Billing_and_coding", "domain5"]
    assert notes["Q_1"].fields[1] == "Is &lt;b&gt;this&lt;/b&gt; &amp; that escaped?"


# ---- GIFT -------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def gift_parse() -> Callable[[str], list[dict[str, Any]]]:
    """gift-pegjs, run with node: installed once into a cache folder from npm if needed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None:
        pytest.skip("node is not installed (gift-pegjs runs on it)")
    home = Path(os.environ.get("CMASPREP_NODE_TOOLS", Path.home() / ".cache" / "cmasprep-tests"))
    if not (home / "node_modules" / "gift-pegjs").is_dir():
        if npm is None:
            pytest.skip("npm is not installed: cannot install gift-pegjs")
        home.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(
            [npm, "install", "--prefix", str(home), "--no-audit", "--no-fund", GIFT_PEGJS],
            capture_output=True,
            text=True,
            timeout=180,
        )
        if done.returncode != 0:
            pytest.skip(f"npm could not install {GIFT_PEGJS}: {done.stderr[-300:]}")
    script = (
        "const {parse} = require('gift-pegjs'); let s = '';"
        "process.stdin.on('data', d => s += d);"
        "process.stdin.on('end', () => console.log(JSON.stringify(parse(s))));"
    )

    def parse(text: str) -> list[dict[str, Any]]:
        done = subprocess.run(
            [node, "-e", script],
            input=text,
            capture_output=True,
            text=True,
            timeout=60,
            cwd=home,
            env={**os.environ, "NODE_PATH": str(home / "node_modules")},
        )
        assert done.returncode == 0, done.stderr
        parsed: list[dict[str, Any]] = json.loads(done.stdout)
        return parsed

    return parse


def test_gift_pegjs_reads_every_question_with_its_line_breaks(
    gift_parse: Callable[[str], list[dict[str, Any]]],
) -> None:
    items = tricky_items()
    questions = gift_parse(dumps_gift(items))
    assert [q["type"] for q in questions] == ["MC"] * len(items)
    assert [q["title"] for q in questions] == [it.id for it in items]
    for question, it in zip(questions, items, strict=True):
        assert question["stem"]["text"] == it.stem
        texts = [c["text"]["text"] for c in question["choices"]]
        assert texts == it.options
        keyed = [c["isCorrect"] for c in question["choices"]]
        assert keyed == [letter == it.answer for letter in "ABCD"]
        general = question["globalFeedback"]
        assert (general["text"] if general else None) == it.rationale


# ---- CSV for spreadsheets ---------------------------------------------------------------
def test_the_excel_csv_has_a_bom_crlf_and_no_formula_cells() -> None:
    items = tricky_items()
    data = dumps_csv(items, excel=True)
    assert data.startswith("\ufeffid,domain,")
    raw = data.encode("utf-8")
    assert raw.count(b"\r\n") >= len(items) + 1 and b"\r\n" in raw.split(b"\n")[0] + b"\n"
    rows = list(csv.DictReader(io.StringIO(data.removeprefix("\ufeff"), newline="")))
    first = rows[0]
    assert [first[f"option_{x}"] for x in "abcd"] == [
        "'=ADJ -25",
        "'+10 credit",
        "'@SUM(A1)",
        "'-25",
    ]
    assert rows[2]["stem"] == "Café – which form? It’s the CMS-1500."
    # The stem's own line break stays inside its cell.
    assert first["stem"] == "A patient's balance is $120.\nThe adjustment code reads:"
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_the_default_csv_stays_lossless() -> None:
    data = dumps_csv(tricky_items())
    assert not data.startswith("\ufeff") and "\r\n" not in data and "'=ADJ" not in data


def test_export_excel_from_the_cli(db: Path, tmp_path: Path) -> None:
    seed(db, tricky_items())
    out = tmp_path / "sheet.csv"
    code, stdout, _ = run("export", "--format", "csv", "--excel", "-o", out, "--db", db)
    assert code == 0 and "for spreadsheets" in stdout
    assert out.read_bytes().startswith(b"\xef\xbb\xbfid,")
    assert run("export", "--format", "gift", "--excel", "-o", tmp_path / "x", "--db", db)[0] == 2


# ---- empty exports ----------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["jsonl", "csv", "gift", "qti21", "anki"])
def test_an_export_that_matches_nothing_says_so_and_writes_nothing(
    db: Path, tmp_path: Path, fmt: str
) -> None:
    seed(db, [make_item(1)])  # approved, domain 5
    out = tmp_path / f"out.{fmt}"
    code, _, err = run("export", "--format", fmt, "--domain", "4", "-o", out, "--db", db)
    assert code == 1 and "no items match status approved, domain 4" in err
    assert not out.exists()
    code, stdout, _ = run(
        "export", "--format", fmt, "--status", "rejected", "--allow-empty", "-o", out, "--db", db
    )
    assert code == 0 and "Wrote 0 items" in stdout and out.exists()
