"""Validate a QTI 2.1 export against the IMS XML Schemas you hold (lxml, libxml2).

Usage: python -m benchmarks.qti_xsd PACKAGE.zip --schemas DIR

No package on PyPI, npm or Debian ships the IMS QTI 2.1 and Content Packaging 1.1 XSDs,
and their licence asks that they be fetched from IMS, so they are not in this repository:
DIR must hold `qtiv2p1/imsqti_v2p1.xsd` (with what it imports, relative to it) and
`imscp_v1p1.xsd`, as in IMS's download. Every item file of the package is validated
against the QTI schema and `imsmanifest.xml` against the CP schema; each invalid file is
printed with libxml2's first error (file, line, message). Exit status 1 when any file is
invalid, 2 when a schema is missing. The tests check the same exports with pyslet, an
independent QTI 2.1 implementation (tests/test_exports_tools.py).
"""

from __future__ import annotations

import argparse
import sys
import zipfile
from pathlib import Path

QTI_SCHEMA = Path("qtiv2p1") / "imsqti_v2p1.xsd"
CP_SCHEMA = Path("imscp_v1p1.xsd")


def validate_package(package: Path, schemas: Path) -> tuple[int, list[str]]:
    """(files checked, one line per invalid file) for a QTI 2.1 content package."""
    from lxml import etree

    qti = etree.XMLSchema(etree.parse(str(schemas / QTI_SCHEMA)))
    cp = etree.XMLSchema(etree.parse(str(schemas / CP_SCHEMA)))
    problems: list[str] = []
    checked = 0
    with zipfile.ZipFile(package) as zf:
        for name in sorted(n for n in zf.namelist() if n.endswith(".xml")):
            schema = cp if name == "imsmanifest.xml" else qti
            document = etree.fromstring(
                zf.read(name), parser=etree.XMLParser(resolve_entities=False)
            )
            checked += 1
            if not schema.validate(document):
                error = schema.error_log.last_error
                problems.append(f"{name}:{error.line}: {error.message}")
    return checked, problems


def main(argv: list[str] | None = None) -> int:
    """Validate the package; print a summary line and any invalid file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "package", type=Path, help="a zip written by cmasprep export --format qti21"
    )
    parser.add_argument("--schemas", type=Path, required=True, help="folder of the IMS XSDs")
    args = parser.parse_args(argv)
    for schema in (QTI_SCHEMA, CP_SCHEMA):
        if not (args.schemas / schema).is_file():
            print(f"error: {args.schemas / schema} not found (see --help)", file=sys.stderr)
            return 2
    checked, problems = validate_package(args.package, args.schemas)
    for line in problems:
        print(line)
    print(f"{checked} files checked against the IMS QTI 2.1 / CP 1.1 XSDs: {len(problems)} invalid")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
