"""Domain 7 family: HIPAA Security Rule safeguards and the factors of a sign-in.

Cognitive model (notes d7-hipaa-security-rule and d7-cybersecurity-threats): the Security
Rule sorts its safeguards into administrative ones, the policies and procedures that
manage security (45 CFR 164.308, `hipaa-administrative-safeguards`), physical ones that
protect the facility, workstations, devices and media (164.310,
`hipaa-physical-safeguards`) and technical ones, the technology that controls access to
ePHI (164.312, `hipaa-technical-safeguards`); organizational requirements (164.314) are
about business associate contracts, not safeguards a practice puts in place. NIST SP
800-63-3 names three authentication factors, something you know, have or are
(`authentication-factor-kinds`); a sign-in is multifactor only when it uses two different
ones (`multifactor-distinct-factors`).

Item models:
- safeguard-category: a measure the practice adopts; the key is its Security Rule
  category.
- safeguard-measure: the security official lists one category; the key is the measure
  that belongs to it.
- factor-kind: the second step of a sign-in; the key is its kind of factor.
- multifactor-sign-in: the policy requires multifactor authentication; the key is the
  one sign-in that combines two different factors.

Variables: the practice (6), the security official and staff member (common.person);
the measure (16, with the idle minutes of an automatic logoff 5-15); the category asked
(3); the sign-in step (9) and the sign-in pairs (6 of two kinds, 6 that are not
multifactor).
"""

from __future__ import annotations

import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import first, person

PRACTICES = (
    "Riverside Family Practice", "Lakeview Pediatrics", "Northgate Internal Medicine",
    "Cedar Hills Orthopedics", "Harbor Dermatology", "Maple Street Clinic",
)  # fmt: skip
CATEGORY = {
    "administrative": "Administrative safeguards",
    "physical": "Physical safeguards",
    "technical": "Technical safeguards",
    "organizational": "Organizational requirements",
}
SECTION = {"administrative": "164.308", "physical": "164.310", "technical": "164.312"}
WHAT = {
    "administrative": "the policies and procedures that manage security and the workforce",
    "physical": "the protection of the building, workstations, devices and media",
    "technical": "the technology that controls and records access to ePHI",
}
# category, what the practice does (a clause after the practice's name), the measure as an
# option, and the wrong categories in the order a candidate would pick them
MEASURES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("administrative", "has every staff member take security awareness training at hire",
     "Security awareness training at hire", ("technical", "organizational", "physical")),
    ("administrative", "designates one staff member as the official responsible for security",
     "A named security official", ("organizational", "technical", "physical")),
    ("administrative", "adopts a policy of disciplining staff who break its security policies",
     "A sanction policy for staff", ("organizational", "technical", "physical")),
    ("administrative", "writes procedures for reporting and responding to security incidents",
     "Written incident response procedures", ("technical", "organizational", "physical")),
    ("administrative", "trains staff in creating, changing and protecting their passwords",
     "Password management training", ("technical", "physical", "organizational")),
    ("physical", "keeps its server room locked and opened by employee badge",
     "A badge-locked server room", ("technical", "administrative", "organizational")),
    ("physical", "has visitors sign in and be escorted in areas with computers",
     "Visitor sign-in and escort", ("administrative", "organizational", "technical")),
    ("physical", "fastens each front-desk computer to the desk with a cable lock",
     "Cable locks on desk computers", ("technical", "administrative", "organizational")),
    ("physical", "turns the reception monitors away from the waiting room",
     "Monitors turned away from visitors", ("administrative", "technical", "organizational")),
    ("physical", "has old hard drives shredded before they leave the office",
     "Shredding of old hard drives", ("technical", "administrative", "organizational")),
    ("technical", "sets the EHR to end any session idle for {idle} minutes",
     "Logoff after {idle} idle minutes", ("administrative", "physical",
                                                     "organizational")),
    ("technical", "gives each EHR user a unique user ID instead of a shared login",
     "A unique user ID for each user", ("administrative", "organizational", "physical")),
    ("technical", "encrypts the ePHI stored on its laptops",
     "Encryption of ePHI on laptops", ("physical", "administrative", "organizational")),
    ("technical", "turns on EHR software that records who views or changes each chart",
     "Audit logs of chart activity", ("administrative", "organizational", "physical")),
    ("technical", "encrypts the ePHI it sends to the hospital over the internet",
     "Encryption of ePHI sent online", ("organizational", "administrative", "physical")),
    ("technical", "requires a password and a code from a phone to sign in to the EHR",
     "Two-step sign-in to the EHR", ("administrative", "physical", "organizational")),
)  # fmt: skip

KINDS = {
    "know": "Something you know",
    "have": "Something you have",
    "are": "Something you are",
}
LOCATION = "Somewhere you are"
# a second sign-in step and its kind of factor
STEPS: tuple[tuple[str, str], ...] = (
    ("enters a four-digit PIN", "know"),
    ("answers a security question about a first car", "know"),
    ("types the six-digit code an authenticator app on a phone displays", "have"),
    ("types a code texted to the phone registered to the account", "have"),
    ("inserts a smart card into the keyboard's card reader", "have"),
    ("taps an ID badge on the reader beside the screen", "have"),
    ("presses a finger on the fingerprint reader", "are"),
    ("looks into the camera for face recognition", "are"),
    ("holds a palm over the palm-vein scanner", "are"),
)
# sign-ins as options: the kinds of factor each step uses ("id" and "place" are none)
PAIRS: tuple[tuple[str, str, str], ...] = (
    ("A password and a fingerprint scan", "know", "are"),
    ("A password and a code from an authenticator app", "know", "have"),
    ("A PIN and a smart card in the card reader", "know", "have"),
    ("An ID badge and a face recognition scan", "have", "are"),
    ("A PIN and a code sent by text message", "know", "have"),
    ("A password and a palm-vein scan", "know", "are"),
    ("A password and a security question", "know", "know"),
    ("A PIN and a password", "know", "know"),
    ("A smart card and a code sent by text message", "have", "have"),
    ("A fingerprint scan and a face recognition scan", "are", "are"),
    ("A username and a password", "id", "know"),
    ("A password and a check of the computer's location", "know", "place"),
)


def _measure_text(text: str, idle: int) -> str:
    return text.format(idle=idle)


def _lower(text: str) -> str:
    """Lower-case the first letter for use inside a sentence ("A unique user ID" -> "a ...")."""
    return text[0].lower() + text[1:] if text[1:2].islower() or text[1:2] == " " else text


def _category_choice(category: str, measure: str, key: str) -> Choice:
    """A category as an option, explained against the measure's true category."""
    if category == key:
        return Choice(
            CATEGORY[category],
            f"{CATEGORY[key]} (45 CFR {SECTION[key]}) include {_lower(measure)}; they "
            f"cover {WHAT[key]}.",
        )
    if category == "organizational":
        why = (
            "Organizational requirements (45 CFR 164.314) set the terms of business associate "
            f"contracts and group health plan documents; the {key} safeguards "
            f"({SECTION[key]}) include {_lower(measure)}."
        )
    else:
        why = (
            f"{CATEGORY[category]} ({SECTION[category]}) cover {WHAT[category]}; the {key} "
            f"safeguards ({SECTION[key]}) include {_lower(measure)}."
        )
    return Choice(CATEGORY[category], why, f"{key}-as-{category}")


def _category(rng: random.Random) -> Scenario:
    practice = rng.choice(PRACTICES)
    key, clause, option, confusions = rng.choice(MEASURES)
    idle = rng.randint(5, 15)
    clause, option = _measure_text(clause, idle), _measure_text(option, idle)
    stem = (
        f"After reviewing its risks to ePHI, {practice} {clause}. Under which category of "
        "the HIPAA Security Rule does this measure fall?"
    )
    return Scenario(
        family=SecuritySafeguards.id,
        model="safeguard-category",
        stem=stem,
        key=_category_choice(key, option, key),
        distractors=tuple(_category_choice(c, option, key) for c in confusions),
        rules=(f"hipaa-{key}-safeguards",),
        steps=1,
        bloom="apply",
        variables={"category": key, "measure": option, "idle": idle, "practice": practice},
    )


def _measure(rng: random.Random) -> Scenario:
    official, practice = person(rng), rng.choice(PRACTICES)
    key = rng.choice(("administrative", "physical", "technical"))
    idle = rng.randint(5, 15)
    own = [m for m in MEASURES if m[0] == key]
    others = [m for m in MEASURES if m[0] != key]
    right = rng.choice(own)
    rng.shuffle(others)
    # one wrong measure of each other category first, then any other
    picked = [next(m for m in others if m[0] == c) for c in SECTION if c != key]
    picked += [m for m in others if m not in picked][:2]
    stem = (
        f"{official} is listing the {key} safeguards of {practice} for its HIPAA "
        "compliance binder. Which measure belongs on the list?"
    )

    def choice(m: tuple[str, str, str, tuple[str, ...]]) -> Choice:
        text = _measure_text(m[2], idle)
        if m is right:
            return Choice(
                text,
                f"{CATEGORY[key]} (45 CFR {SECTION[key]}) include {_lower(text)}; they cover "
                f"{WHAT[key]}.",
            )
        return Choice(
            text,
            f"{CATEGORY[m[0]]} ({SECTION[m[0]]}), not {key} ones, include {_lower(text)}; "
            f"they cover {WHAT[m[0]]}.",
            f"{m[0]}-as-{key}",
        )

    return Scenario(
        family=SecuritySafeguards.id,
        model="safeguard-measure",
        stem=stem,
        key=choice(right),
        distractors=tuple(choice(m) for m in picked),
        rules=(f"hipaa-{key}-safeguards",),
        steps=1,
        bloom="apply",
        variables={
            "category": key,
            "measure": _measure_text(right[2], idle),
            "others": [(m[0], _measure_text(m[2], idle)) for m in picked],
            "official": official,
        },
    )


def _factor(rng: random.Random) -> Scenario:
    staff, practice = person(rng), rng.choice(PRACTICES)
    step, kind = rng.choice(STEPS)
    s = first(staff)
    stem = (
        f"To sign in to the EHR at {practice}, {staff} types a password and then {step}. "
        "Which kind of authentication factor is that second step?"
    )
    examples = {
        "know": "knowledge the user has memorized, such as a password, a PIN or an answer",
        "have": "a device or token in the user's hands, such as a phone, a card or a badge",
        "are": "a biometric trait of the user's body, such as a fingerprint or a face",
    }
    key = Choice(KINDS[kind], f"The step uses {examples[kind]}: {KINDS[kind].lower()}.")
    wrong = []
    for other in ("know", "have", "are"):
        if other != kind:
            wrong.append(
                Choice(
                    KINDS[other],
                    f"{KINDS[other]} is {examples[other]}; {s}'s second step uses "
                    f"{examples[kind].split(',')[0]}.",
                    f"{kind}-as-{other}",
                )
            )
    wrong.append(
        Choice(
            LOCATION,
            "Location can help a system judge risk, but NIST does not count it as an "
            "authentication factor.",
            "location-as-factor",
        )
    )
    return Scenario(
        family=SecuritySafeguards.id,
        model="factor-kind",
        stem=stem,
        key=key,
        distractors=tuple(wrong),
        rules=("authentication-factor-kinds",),
        steps=1,
        bloom="apply",
        variables={"step": step, "kind": kind, "staff": staff},
    )


def _why_pair(a: str, b: str) -> str:
    if "id" in (a, b):
        return (
            "This sign-in pairs the password with a username, which is an identifier, not an "
            "authentication factor."
        )
    if "place" in (a, b):
        return (
            "Location is not an authentication factor, so this sign-in rests on the password alone."
        )
    return f"This sign-in uses {KINDS[a].lower()} twice: one factor, not two different ones."


def _multifactor(rng: random.Random) -> Scenario:
    admin, practice = person(rng), rng.choice(PRACTICES)
    good = [p for p in PAIRS if p[1] != p[2] and "id" not in p and "place" not in p]
    bad = [p for p in PAIRS if p not in good]
    right = rng.choice(good)
    wrong = rng.sample(bad, 4)
    stem = (
        f"The security policy of {practice} requires multifactor authentication for remote "
        f"access to the EHR. {admin} is choosing the sign-in steps staff will use from "
        "home. Which sign-in meets the policy?"
    )
    key = Choice(
        right[0],
        f"This sign-in combines {KINDS[right[1]].lower()} with {KINDS[right[2]].lower()}, "
        "two different factors.",
    )
    return Scenario(
        family=SecuritySafeguards.id,
        model="multifactor-sign-in",
        stem=stem,
        key=key,
        distractors=tuple(
            Choice(t, _why_pair(a, b), f"{a}-twice-as-mfa" if a == b else f"{a}-{b}-as-mfa")
            for t, a, b in wrong
        ),
        rules=("multifactor-distinct-factors", "authentication-factor-kinds"),
        steps=2,
        bloom="analyze",
        variables={
            "admin": admin,
            "pair": right[0],
            "others": [t for t, _, _ in wrong],
        },
    )


class SecuritySafeguards:
    """HIPAA Security Rule safeguard categories and the factors of a sign-in."""

    id = "d7-security-safeguards"
    domain = 7
    topic = "information security"
    models: tuple[str, ...] = (
        "safeguard-category",
        "safeguard-measure",
        "factor-kind",
        "multifactor-sign-in",
    )
    rules: tuple[str, ...] = (
        "hipaa-administrative-safeguards",
        "hipaa-physical-safeguards",
        "hipaa-technical-safeguards",
        "authentication-factor-kinds",
        "multifactor-distinct-factors",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One measure or sign-in of `model`, drawn with `rng`."""
        draw = {
            "safeguard-category": _category,
            "safeguard-measure": _measure,
            "factor-kind": _factor,
            "multifactor-sign-in": _multifactor,
        }[model]
        return draw(rng)


FAMILIES = (SecuritySafeguards(),)
