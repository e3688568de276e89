"""Domain 3 family: mailing a letter with the right USPS service, laying it out, sorting the mail.

Cognitive model (note d3-written-communication-and-mail): Certified Mail gives a mailing
receipt and electronic delivery status but no insurance (`certified-mail-receipt`); the
sender gets the delivery record with the recipient's signature only by adding Return
Receipt, which is sold with services such as Certified Mail, not with ordinary First-Class
Mail (`return-receipt-evidence`); a Certificate of Mailing proves that USPS accepted the
piece on the date stamped on it and gives no record of delivery
(`certificate-of-mailing-evidence`); Registered Mail is the most secure USPS service
(`registered-mail-security`); the letter format decides where each line starts
(`letter-format-alignment`); mail marked personal or confidential goes unopened to its
addressee, other mail is opened, date-stamped and routed (`personal-mail-unopened`).

Item models:
- signed-delivery-proof: a letter the office must prove was received, by whom and when;
  the key is Certified Mail with a Return Receipt.
- mailing-certificate: a patient says a notice sent with a Certificate of Mailing never
  came; the key is what the certificate shows.
- secure-valuables: irreplaceable originals or a large check; the key is Registered Mail.
- letter-alignment: where a named part of a letter starts in a named format.
- marked-envelope: an incoming envelope, marked Personal, Confidential or not at all.

Variables: people (common.person, common.CLINICIANS); the letter kind (3) and the
date it takes effect (2027); the date a notice is mailed (2027) and the days until the
patient calls (10-30); the item mailed (3; a check of $2,500-$25,000 in steps of $500);
the letter format (3) and part (5); an envelope's sender (5), addressee (a clinician or
the billing manager) and marking (Personal, Confidential, none).
"""

from __future__ import annotations

import datetime as dt
import random

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import CLINICIANS, draw_date, first, long_date, money, person

PRACTICES = (
    "Riverside Family Practice", "Lakeview Pediatrics", "Northgate Internal Medicine",
    "Cedar Hills Orthopedics", "Harbor Dermatology", "Maple Street Clinic",
)  # fmt: skip
# What a letter a practice has to be able to prove was received says.
LETTERS = (
    "withdrawing from {p}'s care, effective {date}",
    "ending the practice's relationship with {p} on {date}",
    "giving {p} final notice that the unpaid balance goes to collections on {date}",
)
FORMATS = ("full block", "modified block", "semi-block")
PARTS = ("date line", "inside address", "salutation", "complimentary closing", "signature block")
CENTERED = {"date line", "complimentary closing", "signature block"}  # in (semi-)modified block
LEFT = "At the left margin"
CENTER = "At the center point of the page"
TAB = "One tab stop in from the left margin"
RIGHT = "Against the right margin"
SENDERS = (
    "a law firm", "the county medical society", "a bank", "a medical supply company",
    "a health insurance company",
)  # fmt: skip
MARKINGS = ("Personal", "Confidential", "")


def _letter(rng: random.Random, patient: str) -> str:
    effective = draw_date(rng, dt.date(2027, 2, 1), dt.date(2027, 12, 31))
    return rng.choice(LETTERS).format(p=first(patient), date=long_date(effective))


def _signed_delivery(rng: random.Random) -> Scenario:
    patient, clinician = person(rng), rng.choice(CLINICIANS)
    manager = person(rng, [patient])
    letter = _letter(rng, patient)
    m = first(manager)
    stem = (
        f"{manager}, the office manager, is mailing a letter from {clinician} to {patient} "
        f"{letter}. If {first(patient)} later claims it was lost in the mail, {m} must be "
        "able to show who received it, on what date, and with what signature. How should "
        f"{m} mail the letter?"
    )
    wrong = (
        Choice(
            "By Certified Mail without a Return Receipt",
            "Certified Mail gives a mailing receipt and delivery status; the delivery record "
            "with the recipient's signature comes to the sender only with a Return Receipt.",
            "certified-alone-returns-signature",
        ),
        Choice(
            "By First-Class Mail with a Return Receipt",
            "Return Receipt is sold with a service such as Certified Mail or Registered Mail, "
            "not on ordinary First-Class Mail by itself.",
            "return-receipt-on-plain-mail",
        ),
        Choice(
            "By First-Class Mail with a Certificate of Mailing",
            "A Certificate of Mailing proves only that the letter was mailed; it gives no "
            "record of delivery or signature.",
            "mailing-proof-for-delivery-proof",
        ),
        Choice(
            "By Registered Mail without a Return Receipt",
            "Registered Mail adds security for valuables, but without a Return Receipt the "
            "signed delivery record is not sent to the office.",
            "registered-for-proof-of-delivery",
        ),
    )
    return Scenario(
        family=MailAndLetters.id,
        model="signed-delivery-proof",
        stem=stem,
        key=Choice(
            "By Certified Mail with a Return Receipt",
            "Certified Mail gives a mailing receipt and a delivery record, and the Return "
            "Receipt sends the office the date of delivery and the recipient's signature.",
        ),
        distractors=wrong,
        rules=("certified-mail-receipt", "return-receipt-evidence"),
        steps=2,
        bloom="analyze",
        variables={"patient": patient, "manager": manager, "letter": letter},
    )


def _certificate(rng: random.Random) -> Scenario:
    patient, staff = person(rng), None
    staff = person(rng, [patient])
    mailed = draw_date(rng, dt.date(2027, 1, 4), dt.date(2027, 11, 30))
    later = rng.randint(10, 30)
    p = first(patient)
    stem = (
        f"On {long_date(mailed)}, {staff} took a notice about {patient}'s overdue account to "
        f"the post office and had a Certificate of Mailing postmarked for it. {later} days "
        f"later, {p} calls and says the notice was lost in the mail. What does the "
        "certificate show?"
    )
    wrong = (
        Choice(
            f"That the mail carrier delivered the notice to {p}'s address",
            "A Certificate of Mailing gives no record of delivery; Certified Mail would have "
            "given one.",
            "certificate-shows-delivery",
        ),
        Choice(
            f"That {p} signed for the notice on delivery",
            "A signature at delivery is what a Return Receipt shows; a Certificate of Mailing "
            "ends at the post office counter.",
            "certificate-shows-signature",
        ),
        Choice(
            "That the notice was tracked on its way to delivery",
            "Tracking comes with services such as Certified Mail or Registered Mail; a "
            "Certificate of Mailing records only the mailing.",
            "certificate-shows-tracking",
        ),
        Choice(
            f"That {p} received the notice within 3 days",
            "The certificate says nothing about when, or whether, the notice arrived; it "
            "proves only that USPS accepted it.",
            "certificate-shows-arrival-time",
        ),
    )
    return Scenario(
        family=MailAndLetters.id,
        model="mailing-certificate",
        stem=stem,
        key=Choice(
            "That USPS accepted the notice on the day it was mailed",
            f"A Certificate of Mailing is evidence that the notice was presented to USPS for "
            f"mailing on {long_date(mailed)}, the date postmarked on it; it shows nothing "
            "about delivery.",
        ),
        distractors=wrong,
        rules=("certificate-of-mailing-evidence",),
        steps=1,
        bloom="apply",
        variables={"patient": patient, "staff": staff, "mailed": mailed, "later": later},
    )


def _valuables(rng: random.Random) -> Scenario:
    manager, practice = person(rng), rng.choice(PRACTICES)
    amount = 100 * rng.randrange(2_500, 25_001, 500)
    item = rng.choice(
        (
            "the original signed lease for the practice's new office",
            "the original signed partnership agreement of the practice",
            f"a cashier's check for {money(amount)} as the deposit on new equipment",
        )
    )
    m = first(manager)
    stem = (
        f"{manager}, the office manager of {practice}, has to mail {item}. It cannot be "
        f"replaced if it is lost, so {m} wants the most secure service USPS offers. Which "
        "service should the envelope go by?"
    )
    wrong = (
        Choice(
            "Certified Mail",
            "Certified Mail proves mailing and delivery, but it is handled in transit as "
            "ordinary mail and carries no insurance.",
            "certified-as-most-secure",
        ),
        Choice(
            "Priority Mail Express",
            "Priority Mail Express is the fastest domestic service, not the most secure one.",
            "fastest-as-most-secure",
        ),
        Choice(
            "Priority Mail",
            "Priority Mail is expedited delivery in 1 to 3 business days; the most secure "
            "service is Registered Mail.",
            "expedited-as-secure",
        ),
        Choice(
            "First-Class Mail",
            "First-Class Mail by itself is ordinary letter mail; receipts that follow a piece "
            "to delivery come with Registered Mail.",
            "ordinary-mail",
        ),
    )
    return Scenario(
        family=MailAndLetters.id,
        model="secure-valuables",
        stem=stem,
        key=Choice(
            "Registered Mail",
            "Registered Mail is the most secure USPS service: a system of receipts follows the "
            "envelope from acceptance to delivery, where the recipient signs for it.",
        ),
        distractors=wrong,
        rules=("registered-mail-security",),
        steps=1,
        bloom="apply",
        variables={"manager": manager, "item": item, "amount": amount},
    )


def _alignment(rng: random.Random) -> Scenario:
    staff, clinician = person(rng), rng.choice(CLINICIANS)
    fmt, part = rng.choice(FORMATS), rng.choice(PARTS)
    centered = fmt != "full block" and part in CENTERED
    key_text = CENTER if centered else LEFT
    stem = (
        f"{staff} is typing a referral letter from {clinician} to a specialist in the "
        f"{fmt} format. Where does {first(staff)} start the {part}?"
    )
    if fmt == "full block":
        why = (
            f"In the full block format every line, the {part} included, starts at the left margin."
        )
    elif centered:
        why = (
            f"In the {fmt} format the date line, the complimentary closing and the signature "
            "block start at the center point of the page."
        )
    else:
        why = (
            f"In the {fmt} format only the date line, the complimentary closing and the "
            f"signature block move to the center; the {part} starts at the left margin."
        )
    wrong = {
        LEFT: Choice(
            LEFT,
            f"Every line starts at the left margin in the full block format; in the {fmt} "
            f"format the {part} starts at the center point.",
            "full-block-for-modified",
        ),
        CENTER: Choice(
            CENTER,
            "The center point is for the date line and closing of the modified block and "
            "semi-block formats; in the full block format every line starts at the left margin."
            if fmt == "full block"
            else f"The center point is for the date line, closing and signature block of the "
            f"{fmt} format, not for the {part}.",
            "modified-block-for-full" if fmt == "full block" else "centered-every-heading-part",
        ),
        TAB: Choice(
            TAB,
            "Indenting is the mark of the semi-block format, and it applies to the first line "
            f"of each paragraph, not to the {part}.",
            "semi-block-indent-misapplied",
        ),
        RIGHT: Choice(
            RIGHT,
            f"None of the three formats aligns the {part} with the right margin; lines start "
            "at the left margin or the center point.",
            "right-aligned-part",
        ),
    }
    order = [CENTER, TAB, RIGHT] if key_text == LEFT else [LEFT, TAB, RIGHT]
    return Scenario(
        family=MailAndLetters.id,
        model="letter-alignment",
        stem=stem,
        key=Choice(key_text, why),
        distractors=tuple(wrong[o] for o in order),
        rules=("letter-format-alignment",),
        steps=1,
        bloom="apply",
        variables={"format": fmt, "part": part, "staff": staff},
    )


def _envelope(rng: random.Random) -> Scenario:
    staff, practice = person(rng), rng.choice(PRACTICES)
    addressee = rng.choice([rng.choice(CLINICIANS), person(rng, [staff])])
    sender, marking = rng.choice(SENDERS), rng.choice(MARKINGS)
    s, to = first(staff), addressee if addressee.startswith("Dr.") else first(addressee)
    named = addressee if addressee.startswith("Dr.") else f"{addressee}, the billing manager"
    marked = (
        f'It is marked "{marking}".' if marking else "It carries no marking beyond the address."
    )
    stem = (
        f"Under the mail policy of {practice}, {staff} opens and sorts the incoming mail. "
        f"An envelope from {sender} is addressed to {named}. {marked} What "
        f"does {s} do with it?"
    )
    unopened = Choice(
        f"Deliver it unopened to {to}",
        f'An envelope marked "{marking}" goes to its addressee unopened; only that person opens it.'
        if marking
        else "Only an envelope marked personal or confidential goes unopened; one that is "
        "simply addressed to a person is opened with the rest of the mail.",
        None if marking else "name-read-as-personal",
    )
    opened = Choice(
        f"Open it, date-stamp it and route it to {to}",
        "Mail without a personal or confidential marking is opened, date-stamped and routed "
        "to its addressee."
        if not marking
        else f'Opening an envelope marked "{marking}" ignores the marking; it goes to the '
        "addressee unopened.",
        "ignored-marking" if marking else None,
    )
    manager = Choice(
        "Give it unopened to the office manager to open",
        f"The office manager is not the addressee; the envelope goes to {to}"
        + (" unopened." if marking else ", opened and date-stamped like other mail."),
        "manager-opens-it",
    )
    hold = Choice(
        f"Hold it unopened until {to} says to open it",
        f'An envelope marked "{marking}" is delivered, not held, so {to} gets it the same day.'
        if marking
        else "Holding unmarked mail delays it; the office opens and routes it the day it comes.",
        "held-for-instructions",
    )
    key, first_wrong = (unopened, opened) if marking else (opened, unopened)
    return Scenario(
        family=MailAndLetters.id,
        model="marked-envelope",
        stem=stem,
        key=key,
        distractors=(first_wrong, manager, hold),
        rules=("personal-mail-unopened",),
        steps=1,
        bloom="apply",
        variables={"addressee": addressee, "sender": sender, "marking": marking, "staff": staff},
    )


class MailAndLetters:
    """The USPS service a letter needs, where a letter's lines start, and sorting the mail."""

    id = "d3-mail-and-letters"
    domain = 3
    topic = "written communication and mail"
    models: tuple[str, ...] = (
        "signed-delivery-proof",
        "mailing-certificate",
        "secure-valuables",
        "letter-alignment",
        "marked-envelope",
    )
    rules: tuple[str, ...] = (
        "certified-mail-receipt",
        "return-receipt-evidence",
        "certificate-of-mailing-evidence",
        "registered-mail-security",
        "letter-format-alignment",
        "personal-mail-unopened",
    )

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One mailing, letter or sorting situation of `model`, drawn with `rng`."""
        draw = {
            "signed-delivery-proof": _signed_delivery,
            "mailing-certificate": _certificate,
            "secure-valuables": _valuables,
            "letter-alignment": _alignment,
            "marked-envelope": _envelope,
        }[model]
        return draw(rng)


FAMILIES = (MailAndLetters(),)
