"""Domain 1 family: building a medical term from word parts, and reading one back.

Cognitive model (note d1-medical-word-parts): a term for a condition or procedure joins
the word root of the body part to the suffix that says what happens to it
(`term-from-parts`); the combining vowel o links a root to a suffix that starts with a
consonant and links two roots, and is dropped before a suffix that starts with a vowel
(`combining-vowel`). Reading a term runs the other way: the suffix first, then the root.

Item models, each a front-office document that carries a term or its description:
- condition-term: a visit note describes a condition; which term names it;
- procedure-term: a scheduling request describes a procedure; which term goes on the form;
- compound-term: a note describes two organs (stomach and intestine); which term;
- term-meaning: a referral names a procedure or condition; what the term describes.

Variables: the root (one of the roots of the note with a confusable neighbour), the
suffix (a condition or surgical suffix that makes a standard term with that root, from
`TERMS`), the patient and the clinician. Distractors come from named misconceptions: a
confusable suffix (-ectomy for -otomy), a neighbouring root (kidney for liver), both,
a missing root, and a misapplied combining vowel.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, person


@dataclass(frozen=True)
class Root:
    """A word root, the organ it names and how a definition speaks of that organ."""

    root: str  # without the combining vowel: "hepat"
    organ: str  # "the liver", "a joint"
    neighbour: str  # the root a candidate confuses it with

    @property
    def form(self) -> str:
        """The combining form as the notes write it: "hepat/o"."""
        return f"{self.root}/o"


@dataclass(frozen=True)
class Suffix:
    """A suffix and its meaning, as the notes give them."""

    suffix: str  # without the hyphen: "itis"
    meaning: str  # "inflammation"
    kind: str  # "condition" or "procedure"
    confusable: tuple[str, ...]  # suffixes a candidate mixes it up with, most likely first


ROOTS = {
    r.root: r
    for r in (
        Root("hepat", "the liver", "nephr"),
        Root("nephr", "the kidney", "hepat"),
        Root("gastr", "the stomach", "enter"),
        Root("enter", "the intestine", "gastr"),
        Root("arthr", "a joint", "oste"),
        Root("oste", "a bone", "arthr"),
        Root("neur", "a nerve", "my"),
        Root("my", "a muscle", "neur"),
    )
}
SUFFIXES = {
    s.suffix: s
    for s in (
        Suffix("itis", "inflammation", "condition", ("ology", "megaly", "algia")),
        Suffix("megaly", "enlargement", "condition", ("itis", "oma", "algia")),
        Suffix("algia", "pain", "condition", ("itis", "oma", "megaly")),
        Suffix("oma", "tumor", "condition", ("megaly", "itis", "algia")),
        Suffix("ectomy", "surgical removal", "procedure", ("otomy", "ostomy", "plasty")),
        Suffix("otomy", "cutting into", "procedure", ("ectomy", "ostomy", "oscopy")),
        Suffix("ostomy", "surgical opening", "procedure", ("otomy", "ectomy", "plasty")),
        Suffix("oscopy", "visual examination", "procedure", ("plasty", "otomy", "ectomy")),
        Suffix("plasty", "surgical repair", "procedure", ("oscopy", "ectomy", "otomy")),
    )
}
# Root + suffix pairs that make a standard term (the pool the key is drawn from), so
# that no key is a coinage; each pair's swapped-root term is standard too (neur + itis
# is left out: its swap would give "myitis", where the real word is myositis).
TERMS = {
    "itis": ("hepat", "nephr", "gastr", "enter", "arthr", "oste"),
    "megaly": ("hepat", "gastr", "nephr"),
    "algia": ("arthr", "neur", "my", "gastr"),
    "oma": ("hepat", "neur", "my"),
    "ectomy": ("gastr", "nephr", "hepat", "neur"),
    "otomy": ("gastr", "nephr", "arthr", "oste"),
    "ostomy": ("gastr", "nephr", "enter"),
    "oscopy": ("arthr", "gastr"),
    "plasty": ("arthr", "oste", "neur"),
}
# Two-root terms: (first root, second root, suffix).
COMPOUNDS = (("gastr", "enter", "itis"), ("gastr", "enter", "ology"))
OLOGY = Suffix("ology", "study", "specialty", ("itis", "ectomy", "oscopy"))


def suffix(name: str) -> Suffix:
    """The suffix of that name (-ology included)."""
    return OLOGY if name == "ology" else SUFFIXES[name]


def join(roots: tuple[str, ...], end: str) -> str:
    """A term from its roots and suffix by the combining-vowel rule.

    Roots are linked to each other with o; the last root takes o before a suffix that
    starts with a consonant and none before one that starts with a vowel.
    """
    stem = "o".join(roots)
    return stem + ("" if end[0] in "aeiou" else "o") + end


def misjoin(roots: tuple[str, ...], end: str) -> str:
    """The term with the combining-vowel rule reversed.

    The vowel is kept before a vowel and dropped before a consonant: what a candidate
    who learned the rule backwards spells.
    """
    stem = "o".join(roots)
    return stem + ("o" if end[0] in "aeiou" else "") + end


def meaning(root: Root, end: Suffix) -> str:
    """What a root + suffix term describes, in the words of the notes."""
    if end.suffix == "algia":
        return f"pain in {root.organ}"
    if end.suffix == "ology":
        return f"study of {root.organ}"
    if end.suffix == "otomy":
        return f"cutting into {root.organ}"
    if end.suffix == "ostomy":
        return f"surgical opening into {root.organ}"
    return f"{end.meaning} of {root.organ}"


def cap(text: str) -> str:
    """An option as it is printed: first letter capital."""
    return text[0].upper() + text[1:]


def _people(rng: random.Random) -> tuple[str, str]:
    """A patient and a clinician who do not share a surname."""
    patient = person(rng)
    return patient, rng.choice([c for c in CLINICIANS if not c.endswith(patient.split()[-1])])


# Standard spellings where the regular join doubles a vowel (distractors only).
SPELLINGS = {"osteectomy": "ostectomy"}


def _term_choice(roots: tuple[str, ...], end: str, why: str, misconception: str) -> Choice:
    word = join(roots, end)
    return Choice(cap(SPELLINGS.get(word, word)), why, misconception)


def _build(rng: random.Random, kind: str) -> Scenario:
    """condition-term or procedure-term: the description in, the term out."""
    pool = [(r, s) for s, roots in TERMS.items() if SUFFIXES[s].kind == kind for r in roots]
    root_name, suffix_name = rng.choice(pool)
    root, end = ROOTS[root_name], SUFFIXES[suffix_name]
    neighbour = ROOTS[root.neighbour]
    wrong_end = suffix(end.confusable[0])
    other_end = suffix(end.confusable[1])
    key = join((root.root,), end.suffix)
    patient, clinician = _people(rng)
    described = meaning(root, end)
    if kind == "condition":
        stem = (
            f"{clinician}'s visit note for {patient} describes {described}. Which medical "
            "term names this condition?"
        )
        model = "condition-term"
    else:
        stem = (
            f"{clinician}'s surgery request for {patient} describes the planned procedure "
            f"as {described}. Which medical term goes on the surgery scheduling form?"
        )
        model = "procedure-term"
    distractors = (
        _term_choice(
            (root.root,),
            wrong_end.suffix,
            f"The suffix -{wrong_end.suffix} means {wrong_end.meaning}, not {end.meaning}: "
            f"{join((root.root,), wrong_end.suffix)} describes {meaning(root, wrong_end)}.",
            f"confused -{end.suffix} with -{wrong_end.suffix}",
        ),
        _term_choice(
            (neighbour.root,),
            end.suffix,
            f"The root {neighbour.form} means {neighbour.organ.split()[-1]}, not "
            f"{root.organ.split()[-1]}: {join((neighbour.root,), end.suffix)} describes "
            f"{meaning(neighbour, end)}.",
            f"confused {root.form} with {neighbour.form}",
        ),
        _term_choice(
            (neighbour.root,),
            wrong_end.suffix,
            f"Both parts are wrong: {neighbour.form} is {neighbour.organ.split()[-1]} and "
            f"-{wrong_end.suffix} is {wrong_end.meaning}.",
            "wrong root and wrong suffix",
        ),
        _term_choice(
            (root.root,),
            other_end.suffix,
            f"The suffix -{other_end.suffix} means {other_end.meaning}; the note describes "
            f"{end.meaning}.",
            f"confused -{end.suffix} with -{other_end.suffix}",
        ),
        Choice(
            cap(misjoin((root.root,), end.suffix)),
            "The combining vowel is misplaced: o is dropped before a suffix that starts with "
            "a vowel and kept before one that starts with a consonant.",
            "combining vowel reversed",
        ),
    )
    return Scenario(
        family=WordBuilding.id,
        model=model,
        stem=stem,
        key=Choice(
            cap(key),
            f"The root {root.form} means {root.organ.split()[-1]} and the suffix "
            f"-{end.suffix} means {end.meaning}, so {described} is {key}.",
        ),
        distractors=distractors,
        rules=("term-from-parts", "combining-vowel"),
        steps=2,
        bloom="apply",
        variables={"roots": (root.root,), "suffix": end.suffix, "patient": patient},
    )


def _compound(rng: random.Random) -> Scenario:
    first_root, second_root, suffix_name = rng.choice(COMPOUNDS)
    a, b, end = ROOTS[first_root], ROOTS[second_root], suffix(suffix_name)
    key = join((a.root, b.root), end.suffix)
    wrong_end = suffix(end.confusable[0])
    patient, clinician = _people(rng)
    organs = f"{a.organ} and {b.organ.split()[-1]}"
    if end.suffix == "ology":
        stem = (
            f"{clinician} refers {patient} to a physician who specializes in the study of "
            f"{organs}. Which medical term names this specialty on the referral form?"
        )
        described = f"the study of {organs}"
    else:
        stem = (
            f"{clinician}'s visit note for {patient} describes {end.meaning} of {organs}. "
            "Which medical term names this condition?"
        )
        described = f"{end.meaning} of {organs}"
    distractors = (
        _term_choice(
            (a.root, b.root),
            wrong_end.suffix,
            f"The suffix -{wrong_end.suffix} means {wrong_end.meaning}, not {end.meaning}.",
            f"confused -{end.suffix} with -{wrong_end.suffix}",
        ),
        _term_choice(
            (a.root,),
            end.suffix,
            f"{cap(join((a.root,), end.suffix))} names only {a.organ}; {b.form} for "
            f"{b.organ.split()[-1]} is missing.",
            f"dropped {b.form}",
        ),
        _term_choice(
            (b.root,),
            end.suffix,
            f"{cap(join((b.root,), end.suffix))} names only {b.organ}; {a.form} for "
            f"{a.organ.split()[-1]} is missing.",
            f"dropped {a.form}",
        ),
        Choice(
            cap(a.root + b.root + end.suffix),
            "Two roots are joined with the combining vowel o even when the second root "
            "starts with a vowel.",
            "no combining vowel between roots",
        ),
    )
    return Scenario(
        family=WordBuilding.id,
        model="compound-term",
        stem=stem,
        key=Choice(
            cap(key),
            f"The root {a.form} ({a.organ.split()[-1]}) joins {b.form} "
            f"({b.organ.split()[-1]}) with "
            f"the combining vowel o, and -{end.suffix} adds {end.meaning}: {described} is "
            f"{key}.",
        ),
        distractors=distractors,
        rules=("term-from-parts", "combining-vowel"),
        steps=3,
        bloom="analyze",
        variables={"roots": (a.root, b.root), "suffix": end.suffix, "patient": patient},
    )


def _read(rng: random.Random) -> Scenario:
    """term-meaning: the term in, what it describes out (a 2 x 2 of root and suffix)."""
    pool = [(r, s) for s, roots in TERMS.items() for r in roots]
    root_name, suffix_name = rng.choice(pool)
    root, end = ROOTS[root_name], SUFFIXES[suffix_name]
    neighbour, wrong_end = ROOTS[root.neighbour], suffix(end.confusable[0])
    term = join((root.root,), end.suffix)
    patient, clinician = _people(rng)
    document = "planned procedure" if end.kind == "procedure" else "diagnosis"
    stem = (
        f"While scanning a referral letter from {clinician} into {patient}'s record, the "
        f"medical administrative specialist reads the {document} {term}. What does "
        f"{term} describe?"
    )
    distractors = (
        Choice(
            cap(meaning(root, wrong_end)),
            f"That is -{wrong_end.suffix}; the term ends in -{end.suffix}, which means "
            f"{end.meaning}.",
            f"read -{end.suffix} as -{wrong_end.suffix}",
        ),
        Choice(
            cap(meaning(neighbour, end)),
            f"That is {neighbour.form}; {root.form} means {root.organ.split()[-1]}.",
            f"read {root.form} as {neighbour.form}",
        ),
        Choice(
            cap(meaning(neighbour, wrong_end)),
            f"Both parts are misread: {root.form} is {root.organ.split()[-1]} and "
            f"-{end.suffix} is {end.meaning}.",
            "misread root and suffix",
        ),
    )
    return Scenario(
        family=WordBuilding.id,
        model="term-meaning",
        stem=stem,
        key=Choice(
            cap(meaning(root, end)),
            f"Read the suffix first: -{end.suffix} is {end.meaning}; then the root: "
            f"{root.form} is {root.organ.split()[-1]}.",
        ),
        distractors=distractors,
        rules=("term-from-parts",),
        steps=2,
        bloom="apply",
        variables={"roots": (root.root,), "suffix": end.suffix, "term": term},
    )


class WordBuilding:
    """Medical terms built from word parts for a described condition or procedure."""

    id: str = "d1-word-building"
    domain: int = 1
    topic: str = "medical terminology"
    models: tuple[str, ...] = ("condition-term", "procedure-term", "compound-term", "term-meaning")
    rules: tuple[str, ...] = ("term-from-parts", "combining-vowel")

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One document of `model`, its root and suffix drawn with `rng`."""
        if model == "condition-term":
            return _build(rng, "condition")
        if model == "procedure-term":
            return _build(rng, "procedure")
        if model == "compound-term":
            return _compound(rng)
        if model == "term-meaning":
            return _read(rng)
        raise ValueError(f"unknown item model {model!r}")


FAMILIES = (WordBuilding(),)
