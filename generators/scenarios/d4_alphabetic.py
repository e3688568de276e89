"""Domain 4 family: alphabetic filing of patient charts under ARMA-style indexing rules.

Cognitive model (note d4-alphabetic-filing): a name is indexed surname, given name,
middle name, compared unit by unit, letter by letter (`surname-given-middle-units`); a
shorter unit files before a longer one that starts the same way
(`nothing-before-something`); punctuation is ignored, so a hyphenated surname is one
unit (`hyphenated-surname-one-unit`); a prefix joins the rest of the surname
(`prefix-joined-to-surname`); a suffix is the last unit (`suffix-last-unit`).

Item models:
- first-filed: four charts of nearby surnames; the key is the chart filed first. Each
  distractor is the chart a wrong rule puts first: reading the given name first,
  splitting a hyphenated surname or a prefix into separate units, filing Mc as Mac, or
  putting a longer unit before a shorter one.
- index-units: one patient's name with a prefix or a hyphen, a middle name and at times
  a suffix; the key writes its indexing units in order (ARMA's all-caps form).

Variables: surnames from six letter clusters (D, E, M, O, P, V) of plain, prefixed and
hyphenated names; given names (common.FIRST_NAMES, ASCII only); a middle initial and,
half the time, a professional suffix MD or DDS (index-units); clinician
(common.CLINICIANS).
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, FIRST_NAMES

CLUSTERS = (
    ("Dean", "De La Cruz", "Delgado", "Dennis", "De Santis", "Du Pont", "Dubois"),
    ("Ellison", "Ellis-Smith", "Ellis", "Elliott", "Ellington", "Ellis-Baker"),
    ("MacKay", "McBride", "Mack", "Mackey", "McNeil", "MacDonald", "Madsen"),
    ("Oakes", "O'Brien", "O'Neil", "Olsen", "Ortiz", "Owens", "O'Hara"),
    ("Park", "Parker", "Park-Lee", "Parkinson", "Parks", "Park-Ortiz"),
    ("Vance", "Van Dyke", "Vaughn", "Van Buren", "Valdez", "Von Holt"),
)
GIVEN = tuple(n for n in FIRST_NAMES if n.isascii())
SUFFIXES = ("MD", "DDS")
# A prefix or particle: Mc and Mac only before a capital (MacKay, not Mack or Mackey).
PREFIX = re.compile(r"^(?:(?:Mc|Mac)(?=[A-Z])|O'|De La |De |Du |Van |Von |La )")


@dataclass(frozen=True)
class Name:
    """A patient's name as written on the chart label."""

    given: str
    surname: str
    middle: str = ""
    suffix: str = ""

    def __str__(self) -> str:
        written = " ".join(p for p in (self.given, self.middle, self.surname) if p)
        return f"{written}, {self.suffix}" if self.suffix else written


def _unit(text: str) -> str:
    """An indexing unit: capitals, no punctuation and no spaces."""
    return re.sub(r"[^A-Za-z]", "", text).upper()


def arma(n: Name) -> tuple[str, ...]:
    """The indexing units in ARMA order: surname (one unit), given, middle, suffix."""
    return (_unit(n.surname), _unit(n.given), _unit(n.middle), _unit(n.suffix))


def _given_first(n: Name) -> tuple[str, ...]:
    return (_unit(n.given), _unit(n.middle), _unit(n.surname))


def _split_mac(surname: str) -> str:
    """The surname with a Mc or Mac prefix split off ("Mc Bride"), as a unit of its own."""
    match = re.match(r"^(Mc|Mac)(?=[A-Z])", surname)
    return f"{match[1]} {surname[match.end() :]}" if match else surname


def _hyphen_split(n: Name) -> tuple[str, ...]:
    return (*(_unit(p) for p in n.surname.split("-")), _unit(n.given), _unit(n.middle))


def _prefix_split(n: Name) -> tuple[str, ...]:
    parts = re.split(r"[ ']", _split_mac(n.surname))
    return (*(_unit(p) for p in parts if p), _unit(n.given), _unit(n.middle))


def _mc_as_mac(n: Name) -> tuple[str, ...]:
    surname = "Mac" + n.surname[2:] if n.surname.startswith("Mc") else n.surname
    return (_unit(surname), _unit(n.given), _unit(n.middle))


def _longer_first(n: Name) -> tuple[str, ...]:
    # "~" sorts after every capital, so a shorter unit lands after a longer one.
    return tuple(u + "~" for u in arma(n)[:3])


# misconception: (sort key, why a candidate holding it picks the name)
MISCONCEPTIONS: dict[str, tuple[Callable[[Name], tuple[str, ...]], str]] = {
    "given-name-first": (
        _given_first,
        "{name} comes first only if the given name is read first; the surname is the first unit.",
    ),
    "hyphen-split": (
        _hyphen_split,
        "{name} comes first only if the hyphenated surname is split in two; the hyphen is "
        "ignored and the surname is one unit.",
    ),
    "prefix-split": (
        _prefix_split,
        "{name} comes first only if the prefix is taken as a unit of its own; it joins the "
        "rest of the surname.",
    ),
    "mc-as-mac": (
        _mc_as_mac,
        "{name} comes first only if Mc is filed as Mac; the prefix is filed as written, M-C.",
    ),
    "longer-unit-first": (
        _longer_first,
        "{name} comes first only if a longer unit is put ahead of a shorter one; nothing "
        "files before something.",
    ),
}


def _rules_for(names: list[Name]) -> tuple[str, ...]:
    rules = ["surname-given-middle-units"]
    if any("-" in n.surname for n in names):
        rules.append("hyphenated-surname-one-unit")
    if any(PREFIX.match(n.surname) for n in names):
        rules.append("prefix-joined-to-surname")
    keys = sorted(arma(n)[0] for n in names)
    if any(b.startswith(a) and a != b for a, b in itertools.pairwise(keys)):
        rules.append("nothing-before-something")
    return tuple(rules)


def _first_filed(rng: random.Random) -> Scenario:
    for _ in range(500):
        cluster = rng.choice(CLUSTERS)
        names = [Name(rng.choice(GIVEN), s) for s in rng.sample(cluster, 4)]
        if len({n.given for n in names}) < 4:
            continue
        key = min(names, key=arma)
        picks: dict[Name, str] = {}
        for label, (sort_key, _) in MISCONCEPTIONS.items():
            chosen = min(names, key=sort_key)
            if chosen != key and chosen not in picks:
                picks[chosen] = label
        if len(picks) == 3:
            break
    else:  # pragma: no cover - the clusters always yield a set well within 500 tries
        raise RuntimeError("no name set with three distinct misconceptions")
    clinician = rng.choice(CLINICIANS)
    order = sorted(names, key=arma)
    stem = (
        f"Four charts for new patients of {clinician} are waiting to be filed. The office "
        "files alphabetically under ARMA-based indexing rules. Which chart is filed first?"
    )
    distractors = tuple(
        Choice(str(n), MISCONCEPTIONS[label][1].format(name=str(n)), label)
        for n, label in picks.items()
    )
    units = " ".join(u for u in arma(key) if u)
    return Scenario(
        family=AlphabeticFiling.id,
        model="first-filed",
        stem=stem,
        key=Choice(
            str(key),
            f"Indexed as {units}, {key} files ahead of the others: "
            f"{', '.join(' '.join(u for u in arma(n) if u) for n in order[1:])}.",
        ),
        distractors=distractors,
        rules=_rules_for(names),
        steps=2,
        bloom="analyze",
        variables={"names": [str(n) for n in names], "clinician": clinician},
    )


def _index_units(rng: random.Random) -> Scenario:
    surname = rng.choice([s for c in CLUSTERS for s in c if "-" in s or PREFIX.match(s)])
    given, middle = rng.choice(GIVEN), rng.choice("ABCDEFGHJKLMNPRSTW") + "."
    suffix = rng.choice(SUFFIXES) if rng.random() < 0.5 else ""
    name = Name(given, surname, middle, suffix)
    g, m, s = _unit(given), _unit(middle), _unit(suffix)

    def units(*parts: str) -> str:
        return " ".join(p for p in parts if p)

    split = " ".join(_unit(p) for p in re.split(r"[ '-]", _split_mac(surname)) if p)
    wrong = [
        Choice(
            units(split, g, m, s),
            f"Keeping the {'hyphen' if '-' in surname else 'prefix'} as a break makes two "
            "units of one surname; punctuation and spaces in a surname are ignored.",
            "hyphen-split" if "-" in surname else "prefix-split",
        ),
        Choice(
            units(g, m, _unit(surname), s),
            "That is the name as written; for filing, the surname is the first unit.",
            "given-name-first",
        ),
        Choice(
            units(_unit(surname), m, g, s),
            "The given name is the second unit and the middle initial the third, not the "
            "other way around.",
            "middle-before-given",
        ),
    ]
    if s:
        wrong.append(
            Choice(
                units(_unit(surname), s, g, m),
                f"A professional suffix such as {suffix} is the last unit, not the second.",
                "suffix-second",
            )
        )
    if surname.startswith("Mc"):
        wrong.insert(
            0,
            Choice(
                units(_unit("Mac" + surname[2:]), g, m, s),
                "Mc is filed as written, M-C; respelling it Mac is an old directory habit.",
                "mc-as-mac",
            ),
        )
    elif " " in surname or "-" in surname:
        head, _, tail = surname.replace("-", " ").rpartition(" ")
        wrong.append(
            Choice(
                units(_unit(tail), g, m, _unit(head), s),
                f"Filing under {tail} alone moves part of the surname to the end; the whole "
                "surname is the first unit.",
                "last-part-as-surname",
            )
        )
    key = units(_unit(surname), g, m, s)
    rules = ["surname-given-middle-units"]
    rules.append("hyphenated-surname-one-unit" if "-" in surname else "prefix-joined-to-surname")
    if s:
        rules.append("suffix-last-unit")
    return Scenario(
        family=AlphabeticFiling.id,
        model="index-units",
        stem=(
            f"A new patient registers as {name}. Under ARMA-based indexing rules, how is "
            "the name written in indexing order for the chart label?"
        ),
        key=Choice(
            key,
            f"The surname {surname} is one unit ({_unit(surname)}), then come the given name "
            f"and the middle initial{', and the suffix is the last unit' if s else ''}.",
        ),
        distractors=tuple(w for w in wrong if w.text != key),
        rules=tuple(rules),
        steps=2,
        bloom="apply",
        variables={"given": given, "middle": middle, "surname": surname, "suffix": suffix},
    )


class AlphabeticFiling:
    """Which chart files first, and how a name is indexed, under ARMA-style rules."""

    id = "d4-alphabetic-filing"
    domain = 4
    topic = "filing systems"
    models: tuple[str, ...] = ("first-filed", "index-units")
    rules: tuple[str, ...] = (
        "surname-given-middle-units",
        "nothing-before-something",
        "hyphenated-surname-one-unit",
        "prefix-joined-to-surname",
        "suffix-last-unit",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One filing task of `model`, its names drawn with `rng`."""
        return _first_filed(rng) if model == "first-filed" else _index_units(rng)


FAMILIES = (AlphabeticFiling(),)
