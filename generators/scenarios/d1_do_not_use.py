"""Domain 1 family: The Joint Commission's "Do Not Use" list met in a medication list.

Cognitive model (note d1-do-not-use-abbreviations): a dose is written without a trailing
zero (X mg, not X.0 mg) and with a leading zero (0.X mg, not .X mg), because a missed
decimal point turns the dose into ten times itself (`dnu-trailing-zero`,
`dnu-leading-zero`); U, Q.D. and Q.O.D. are written out as unit, daily and every other
day (`dnu-write-out`).

Item models, each a medication list the front office types into a referral letter:
- trailing-zero-misread / leading-zero-misread: the dose a reader who misses the decimal
  point takes the written one for (ten times the intended dose);
- rewrite-dose: how the dose is typed under the list;
- write-out: how a prohibited abbreviation in the entry is typed.

The options of a dose model are in natural order. In a misread model the key is the
largest honest reading (ten times the dose): the dose itself and a tenth of it lie below,
only the hundredfold slip above, so the key is always third of four; no named misreading
gives a second figure above it, and none is made up to move it. In rewrite-dose most
options are the same dose written differently, so the order among them is drawn.

Variables: the drug and its dose (common tablet strengths: 1-40 mg in `WHOLE_DOSES` for
the trailing-zero entries, 0.1-0.5 mg with one decimal digit in `FRACTION_DOSES` for the
leading-zero entries), the patient, the clinician. The office's policy of following
the list is stated in the stem.
"""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, person

# Whole-milligram strengths (a trailing zero can be added) and fractional ones (a
# leading zero can be left off), as usually prescribed.
WHOLE_DOSES = {
    "lisinopril": ("5", "10", "20", "40"),
    "amlodipine": ("5", "10"),
    "warfarin": ("1", "2", "5"),
    "glipizide": ("5", "10"),
}
FRACTION_DOSES = {  # one decimal digit, so a missed decimal point is a tenfold error
    "levothyroxine": ("0.1", "0.2"),
    "lorazepam": ("0.5",),
    "alprazolam": ("0.5",),
    "clonazepam": ("0.5",),
}
# Prohibited abbreviations with what the list says to write, in an entry they occur in.
WRITE_OUT = (
    # (drug line before, abbreviation, after, written out, the misreading TJC names)
    ("insulin glargine 10", "U", "at bedtime", "10 units", "a zero, a four or cc"),
    ("metoprolol 25 mg by mouth", "QD", "", "daily", "QID (four times a day)"),
)


def fmt(value: Decimal) -> str:
    """A dose the way the list wants it: no trailing zero, a leading zero below 1."""
    text = format(value.normalize(), "f")
    return text


def misread(written: str) -> Decimal:
    """What `written` reads as when its decimal point is missed."""
    return Decimal(written.replace(".", "").lstrip("0") or "0")


def _dose_choice(value: Decimal, why: str, misconception: str | None) -> Choice:
    return Choice(f"{fmt(value)} mg", why, misconception, float(value))


def _valued(choice: Choice) -> Choice:
    """The choice with its dose as value, for the natural order of the options."""
    return replace(choice, value=float(Decimal(choice.text.split()[0])))


TIE = 1e-6  # mg: moves an equal dose before or after the key, far below any dose shown


def _ties_around_key(
    rng: random.Random, key: Choice, wrong: tuple[Choice, ...]
) -> tuple[Choice, ...]:
    """The distractors with equal doses drawn before or after the key in the natural order.

    "5 mg", "5.0 mg" and "5.00 mg" are one dose, so any order of them is ascending; the
    builder's stable sort would put the key first among them every time (the answer
    would always be A). How many equal doses go before the key is drawn instead, and a
    tie-break far smaller than any dose sets it.
    """
    key_value = key.value or 0.0
    equal = [i for i, c in enumerate(wrong) if c.value == key_value]
    before = set(rng.sample(equal, rng.randint(0, len(equal))))
    return tuple(
        replace(c, value=key_value + (-TIE if i in before else TIE)) if i in equal else c
        for i, c in enumerate(wrong)
    )


def _stem_entry(rng: random.Random, entry: str, policy: bool = True) -> tuple[str, str]:
    """The stem's situation, and the patient; `policy` adds the practice's rule."""
    patient = person(rng)
    clinician = rng.choice([c for c in CLINICIANS if not c.endswith(patient.split()[-1])])
    lead = (
        f"While typing {clinician}'s handwritten medication list into a referral letter for "
        f'{patient}, the medical administrative specialist reads the entry "{entry}."'
    )
    if policy:  # how an entry is to be typed rests on the practice following the list
        lead += (
            " The practice follows The Joint Commission's prohibited-abbreviation list in all "
            "medication documentation."
        )
    return lead, patient


def _misread(rng: random.Random, trailing: bool) -> Scenario:
    if trailing:
        drug = rng.choice(sorted(WHOLE_DOSES))
        dose = rng.choice(WHOLE_DOSES[drug])
        written = f"{dose}.0"
        intended = Decimal(dose)
    else:
        drug = rng.choice(sorted(FRACTION_DOSES))
        dose = rng.choice(FRACTION_DOSES[drug])
        written = dose[1:]  # ".5"
        intended = Decimal(dose)
    entry = f"{drug} {written} mg by mouth daily"
    lead, patient = _stem_entry(rng, entry, policy=False)
    read = misread(written)
    mark = "trailing zero" if trailing else "missing leading zero"
    key = _dose_choice(
        read,
        f"A reader who misses the decimal point in {written} mg reads {fmt(read)} mg, ten "
        f"times the intended {fmt(intended)} mg; that is why the list bans the {mark}.",
        None,
    )
    distractors = (
        _dose_choice(
            intended,
            f"{fmt(intended)} mg is the intended dose, read correctly; the risk is the "
            "reading in which the decimal point is missed.",
            "intended-dose",
        ),
        _dose_choice(
            intended / 10,
            f"{fmt(intended / 10)} mg moves the decimal point the wrong way; a missed "
            "decimal point makes the dose larger, not smaller.",
            "wrong-direction",
        ),
        _dose_choice(
            read * 10,
            f"{fmt(read * 10)} mg is a hundredfold error; a missed decimal point shifts the "
            "dose by one place, ten times.",
            "two-places",
        ),
    )
    question = "If a reader misses the decimal point, what dose could the entry be taken for?"
    return Scenario(
        family=DoNotUse.id,
        model="trailing-zero-misread" if trailing else "leading-zero-misread",
        stem=f"{lead} {question}",
        key=key,
        distractors=distractors,
        rules=("dnu-trailing-zero" if trailing else "dnu-leading-zero",),
        steps=1,
        bloom="apply",
        variables={"drug": drug, "written": written, "intended": str(intended),
                   "patient": patient},
        ordered=True,
    )  # fmt: skip


def _rewrite(rng: random.Random) -> Scenario:
    trailing = rng.random() < 0.5
    if trailing:
        drug = rng.choice(sorted(WHOLE_DOSES))
        dose = rng.choice(WHOLE_DOSES[drug])
        written = f"{dose}.0"
    else:
        drug = rng.choice(sorted(FRACTION_DOSES))
        dose = rng.choice(FRACTION_DOSES[drug])
        written = dose[1:]
    intended = Decimal(dose)
    entry = f"{drug} {written} mg by mouth daily"
    lead, patient = _stem_entry(rng, entry)
    correct = fmt(intended)
    rule = "dnu-trailing-zero" if trailing else "dnu-leading-zero"
    why_key = (
        f"The list says to write X mg, not X.0 mg, so {written} mg is typed {correct} mg."
        if trailing
        else f"The list says to write 0.X mg, not .X mg, so {written} mg is typed {correct} mg."
    )
    if trailing:
        wrong = (
            Choice(
                f"{written} mg",
                f"Typing {written} mg keeps the trailing zero the list bans; missed, its "
                f"decimal point makes {misread(written)} mg.",
                "copied-as-written",
            ),
            Choice(
                f"{dose}.00 mg",
                "More zeros after the decimal point are still trailing zeros; the exception "
                "for showing precision covers lab results, not medication doses.",
                "precision-exception",
            ),
            Choice(
                f"{misread(written)} mg",
                f"{misread(written)} mg is the misreading the rule prevents, a dose ten times "
                "the one ordered.",
                "typed-the-misreading",
            ),
        )
    else:
        wrong = (
            Choice(
                f"{written} mg",
                f"Typing {written} mg keeps the missing leading zero; a missed decimal point "
                f"makes it {misread(written)} mg.",
                "copied-as-written",
            ),
            Choice(
                f"{dose}0 mg",
                f"Typing {dose}0 mg adds the leading zero but also a trailing zero, which the "
                "list bans too.",
                "added-trailing-zero",
            ),
            Choice(
                f"{written}0 mg",
                f"Typing {written}0 mg still lacks the leading zero and adds a trailing zero.",
                "both-zeros-wrong",
            ),
        )
    key = _valued(Choice(f"{correct} mg", why_key))
    return Scenario(
        family=DoNotUse.id,
        model="rewrite-dose",
        stem=f"{lead} How should the dose be typed?",
        key=key,
        distractors=_ties_around_key(rng, key, tuple(_valued(c) for c in wrong)),
        rules=(rule,),
        steps=1,
        bloom="apply",
        variables={"drug": drug, "written": written, "intended": str(intended),
                   "trailing": trailing, "patient": patient},
        ordered=True,
    )  # fmt: skip


def _write_out(rng: random.Random) -> Scenario:
    before, abbreviation, after, written_out, risk = rng.choice(WRITE_OUT)
    entry = " ".join(part for part in (before, abbreviation, after) if part)
    lead, patient = _stem_entry(rng, entry)
    number = before.rsplit(" ", 1)[-1] if abbreviation == "U" else ""
    if abbreviation == "U":
        others = (f"{number} IU", f"{number} u", f"{number} cc")
        whys = (
            f"{others[0]} swaps one banned abbreviation for another (IU is on the list "
            'too); the list says to write "unit".',
            f"{others[1]} is the same banned abbreviation in lower case.",
            f"{others[2]} is one of the misreadings the rule prevents: U mistaken for cc.",
        )
        misconceptions = ("other-banned-abbreviation", "lower-case-still-banned", "misreading")
        question = f'How should "{number} {abbreviation}" be typed?'
    else:
        others = {
            "QD": ("q.d.", "four times a day", "on alternate days"),
        }[abbreviation]
        whys = (
            f"Writing {others[0]} keeps the same banned abbreviation with periods; the "
            "period after the Q is what gets read as an I.",
            "Four times a day is QID, the misreading the rule prevents: the period or the "
            "O read as an I.",
            "On alternate days is what Q.O.D. stands for; Q.D. and Q.O.D. are banned "
            "because they are mistaken for each other.",
        )
        misconceptions = ("periods-still-banned", "misreading", "confused-qd-and-qod")
        question = f'How should "{abbreviation}" be typed?'
    return Scenario(
        family=DoNotUse.id,
        model="write-out",
        stem=f"{lead} {question}",
        key=Choice(
            written_out,
            f'{abbreviation} can be misread as {risk}, so the list says to write "{written_out}".',
        ),
        distractors=tuple(
            Choice(text, why, name)
            for text, why, name in zip(others, whys, misconceptions, strict=True)
        ),
        rules=("dnu-write-out",),
        steps=1,
        bloom="apply",
        variables={"abbreviation": abbreviation, "entry": entry, "patient": patient},
    )


class DoNotUse:
    """Doses and abbreviations of a medication list under the Do Not Use list."""

    id: str = "d1-do-not-use"
    domain: int = 1
    topic: str = "medical terminology"
    models: tuple[str, ...] = (
        "trailing-zero-misread",
        "leading-zero-misread",
        "rewrite-dose",
        "write-out",
    )
    rules: tuple[str, ...] = ("dnu-trailing-zero", "dnu-leading-zero", "dnu-write-out")

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One medication-list entry of `model`, drawn with `rng`."""
        if model == "trailing-zero-misread":
            return _misread(rng, trailing=True)
        if model == "leading-zero-misread":
            return _misread(rng, trailing=False)
        if model == "rewrite-dose":
            return _rewrite(rng)
        if model == "write-out":
            return _write_out(rng)
        raise ValueError(f"unknown item model {model!r}")


FAMILIES = (DoNotUse(),)
