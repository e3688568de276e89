"""Every scenario family of the offline generator, by domain.

Each domain module (d1 ... d8) gathers the `FAMILIES` of its d<N>_<slug>.py modules; this
module only collects them and checks that family ids are unique. Add a family to its
domain's module, not here.
"""

from __future__ import annotations

from generators.scenarios import d1, d2, d3, d4, d5, d6, d7, d8
from generators.scenarios.base import Family

FAMILIES: tuple[Family, ...] = tuple(
    family for domain in (d1, d2, d3, d4, d5, d6, d7, d8) for family in domain.FAMILIES
)


def families_for(domain: int, topic: str | None = None) -> list[Family]:
    """The families of a domain (and of one of its sub-topics)."""
    return [f for f in FAMILIES if f.domain == domain and (topic is None or f.topic == topic)]


def _check_unique() -> None:
    ids = [f.id for f in FAMILIES]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"scenario family ids used twice: {', '.join(duplicated)}")


_check_unique()
