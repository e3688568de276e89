"""IMS QTI 2.1 content package: a zip with imsmanifest.xml and one assessmentItem per item.

Each item is a single-choice `choiceInteraction` with a `responseDeclaration` holding
the key and the standard `match_correct` response processing, which is what LMS
importers (Canvas, Moodle, Blackboard, TAO) expect of a multiple-choice item.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable
from xml.etree import ElementTree as ET

from bank.models import LETTERS, Item

QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
QTI_XSD = "http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_XSD = "http://www.imsglobal.org/xsd/imscp_v1p1.xsd"
MATCH_CORRECT = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/match_correct"
_BAD_ID = re.compile(r"[^A-Za-z0-9_.-]")


def qti_identifier(item_id: str) -> str:
    """A valid XML identifier (NCName) for an item id."""
    ident = _BAD_ID.sub("_", item_id)
    return ident if ident[:1].isalpha() or ident[:1] == "_" else f"item_{ident}"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
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
    _sub(interaction, q + "prompt", it.stem)
    for letter, option in zip(LETTERS, it.options, strict=True):
        _sub(interaction, q + "simpleChoice", option, identifier=letter)
    _sub(root, q + "responseProcessing", template=MATCH_CORRECT)
    if it.rationale:
        _sub(
            root,
            q + "modalFeedback",
            it.rationale,
            outcomeIdentifier="FEEDBACK",
            identifier="RATIONALE",
            showHide="hide",
        )
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
        href = f"items/{ident}.xml"
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


def dumps_qti(items: Iterable[Item]) -> bytes:
    """The zip package's bytes."""
    items = list(items)
    idents = [qti_identifier(it.id) for it in items]
    if len(set(idents)) != len(idents):
        raise ValueError("two item ids map to the same QTI identifier")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("imsmanifest.xml", manifest(items))
        for it, ident in zip(items, idents, strict=True):
            zf.writestr(f"items/{ident}.xml", assessment_item(it))
    return buffer.getvalue()
