"""IMS QTI 2.1 content package: a zip with imsmanifest.xml and one assessmentItem per item.

Each item is a single-choice `choiceInteraction` with a `responseDeclaration` holding
the key and the standard `match_correct` response processing, which is what LMS
importers (Canvas, Moodle, Blackboard, TAO) expect of a multiple-choice item.

The rationale is a `modalFeedback` shown after every attempt. Its identifier is
`general_fb`: Canvas's QTI importer (qti_exporter's AssessmentItemConverter#get_feedback)
keeps a feedback only when its identifier matches wrong/incorrect, correct, solution,
`general_` or `_all`, and files `general_...` as the question's neutral comment, shown
whatever the answer; any other identifier (the old `RATIONALE`) is dropped.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from bank.errors import InputError, Problem
from bank.models import LETTERS, Item

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
FEEDBACK_ID = "general_fb"
_BAD_ID = re.compile(r"[^A-Za-z0-9_.-]")
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:8]


def qti_identifier(item_id: str) -> str:
    """A valid XML identifier (NCName) for an item id, the same in every export.

    An id that is an NCName already is its own identifier. Any other is made one (bad
    characters to "_", "item_" before a leading digit) and given a digest of the id, so
    that two ids the cleaning would merge ("Q 1" and "Q_1") keep apart. The digest depends
    on the id alone, not on the other items: an LMS that re-imports a later export finds
    the same identifiers. (Ids cannot be renamed in the bank, so an export that refused
    such a pair would leave no way out.)
    """
    if _NCNAME.fullmatch(item_id):
        return item_id
    ident = _BAD_ID.sub("_", item_id)
    if not (ident[:1].isalpha() or ident[:1] == "_"):
        ident = f"item_{ident}"
    return f"{ident}_{_digest(item_id)}"


def item_file(ident: str) -> str:
    """The package path of an item's XML, distinct even on a case-blind file system.

    An identifier with capitals gets its digest too: "Q1" and "q1" are two identifiers,
    but one file on Windows or macOS once the zip is unpacked.
    """
    name = ident if ident == ident.lower() else f"{ident}_{_digest(ident)}"
    return f"items/{name}.xml"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def _lines(element: ET.Element, text: str) -> ET.Element:
    """Put text in an element, each line break a <br/> (XML would fold it to a space)."""
    q = f"{{{QTI_NS}}}"
    first, *rest = text.split("\n")
    element.text = first
    for line in rest:
        ET.SubElement(element, q + "br").tail = line
    return element


def assessment_item(it: Item) -> bytes:
    """One item as a QTI 2.1 assessmentItem XML document (UTF-8, with its declaration)."""
    ET.register_namespace("", QTI_NS)
    q = f"{{{QTI_NS}}}"
    root = ET.Element(
        q + "assessmentItem",
        {
            f"{{{XSI_NS}}}schemaLocation": f"{QTI_NS} {QTI_XSD}",
            "identifier": qti_identifier(it.id),
            "title": f"{it.id} (domain {it.domain}{', ' + it.topic if it.topic else ''})",
            "adaptive": "false",
            "timeDependent": "false",
        },
    )
    decl = _sub(
        root,
        q + "responseDeclaration",
        identifier="RESPONSE",
        cardinality="single",
        baseType="identifier",
    )
    correct = _sub(decl, q + "correctResponse")
    _sub(correct, q + "value", it.answer)
    outcome = _sub(
        root, q + "outcomeDeclaration", identifier="SCORE", cardinality="single", baseType="float"
    )
    _sub(_sub(outcome, q + "defaultValue"), q + "value", "0")
    if it.rationale:
        _sub(
            root,
            q + "outcomeDeclaration",
            identifier="FEEDBACK",
            cardinality="single",
            baseType="identifier",
        )
    body = _sub(root, q + "itemBody")
    interaction = _sub(
        body,
        q + "choiceInteraction",
        responseIdentifier="RESPONSE",
        shuffle="false",
        maxChoices="1",
    )
    _lines(_sub(interaction, q + "prompt"), it.stem)
    for letter, option in zip(LETTERS, it.options, strict=True):
        _lines(_sub(interaction, q + "simpleChoice", identifier=letter), option)
    _sub(root, q + "responseProcessing", template=MATCH_CORRECT)
    if it.rationale:
        # showHide="hide": shown unless FEEDBACK matches; match_correct never sets it, so
        # every candidate sees the rationale after answering.
        feedback = _sub(
            root,
            q + "modalFeedback",
            outcomeIdentifier="FEEDBACK",
            identifier=FEEDBACK_ID,
            showHide="hide",
        )
        _lines(feedback, it.rationale)
    # typeshed types tostring() with a str encoding as Any (it may be "unicode"); utf-8 is bytes
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def manifest(items: list[Item]) -> bytes:
    """The package's imsmanifest.xml, listing one resource per item."""
    ET.register_namespace("", CP_NS)
    c = f"{{{CP_NS}}}"
    root = ET.Element(
        c + "manifest",
        {"identifier": "cmasprep-export", f"{{{XSI_NS}}}schemaLocation": f"{CP_NS} {CP_XSD}"},
    )
    metadata = _sub(root, c + "metadata")
    _sub(metadata, c + "schema", "QTIv2.1 Package")
    _sub(metadata, c + "schemaversion", "1.0.0")
    _sub(root, c + "organizations")
    resources = _sub(root, c + "resources")
    for it in items:
        ident = qti_identifier(it.id)
        href = item_file(ident)
        res = _sub(
            resources,
            c + "resource",
            identifier=f"RES-{ident}",
            type="imsqti_item_xmlv2p1",
            href=href,
        )
        _sub(res, c + "file", href=href)
    # typeshed types tostring() with a str encoding as Any (it may be "unicode"); utf-8 is bytes
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data


def check_unique(items: list[Item]) -> None:
    """Refuse items whose identifiers or files would coincide, naming both ids.

    `qti_identifier` keeps ids apart unless a digest collides or an id is spelled like
    another's cleaned form with its digest; this is the guard for that.
    """
    seen: dict[str, str] = {}
    problems = []
    for it in items:
        ident = qti_identifier(it.id)
        for key, what in ((ident, "QTI identifier"), (item_file(ident).casefold(), "file")):
            other = seen.setdefault(key, it.id)
            if other != it.id:
                problems.append(
                    Problem(f"items {other!r} and {it.id!r} map to the same {what} {key!r}")
                )
    if problems:
        raise InputError(problems, "cannot write the QTI package: two ids collide")


def dumps_qti(items: Iterable[Item]) -> bytes:
    """The zip package's bytes; InputError (naming both ids) if two ids would collide."""
    items = list(items)
    check_unique(items)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest(items))
        for it in items:
            zf.writestr(item_file(qti_identifier(it.id)), assessment_item(it))
    return buffer.getvalue()
