"""benchmarks/qti_xsd.py: the IMS XSD check a team runs with the schemas it downloaded.

The IMS schemas are not in the repository (benchmarks/qti_xsd.py says why); here two
small stand-in schemas show the script reports an invalid item by file and line, passes a
valid package, and exits 2 naming a missing schema.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from benchmarks.qti_xsd import main

QTI = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
  targetNamespace="urn:q" xmlns="urn:q" elementFormDefault="qualified">
  <xs:element name="assessmentItem"><xs:complexType>
    <xs:attribute name="identifier" type="xs:NCName" use="required"/>
  </xs:complexType></xs:element></xs:schema>"""
CP = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:element name="manifest"/></xs:schema>"""


def _schemas(tmp: Path) -> Path:
    (tmp / "s" / "qtiv2p1").mkdir(parents=True)
    (tmp / "s" / "qtiv2p1" / "imsqti_v2p1.xsd").write_text(QTI)
    (tmp / "s" / "imscp_v1p1.xsd").write_text(CP)
    return tmp / "s"


def _package(tmp: Path, identifier: str) -> Path:
    path = tmp / f"{identifier}.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("imsmanifest.xml", "<manifest/>")
        zf.writestr("items/a.xml", f'<assessmentItem xmlns="urn:q"\n identifier="{identifier}"/>')
    return path


def test_a_valid_package_passes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_package(tmp_path, "Q1")), "--schemas", str(_schemas(tmp_path))]) == 0
    assert "2 files checked" in capsys.readouterr().out


def test_an_invalid_item_is_named_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    package = _package(tmp_path, "1 bad")  # not an NCName
    assert main([str(package), "--schemas", str(_schemas(tmp_path))]) == 1
    out = capsys.readouterr().out
    assert out.startswith("items/a.xml:2:") and "1 invalid" in out


def test_a_missing_schema_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_package(tmp_path, "Q1")), "--schemas", str(tmp_path)]) == 2
    assert "imsqti_v2p1.xsd not found" in capsys.readouterr().err
