"""What scenario families share: people, money, dates and small arithmetic, all deterministic.

Money is held in whole cents (int) so that every key is exact; `money` renders it the
way a ledger or an EOB does. People are drawn from name lists of varied origin so that
scenarios read like a real front office, never "Patient A".
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import replace

from generators.scenarios.base import Choice

FIRST_NAMES = (
    "Maria", "James", "Aisha", "Wei", "Carlos", "Emily", "Darnell", "Priya", "Olga",
    "Tomás", "Grace", "Hiroshi", "Fatima", "Liam", "Ngozi", "Sofia", "Malik", "Hannah",
    "Diego", "Mei", "Samuel", "Leila", "Ryan", "Ana", "Kwame", "Julia", "Omar", "Rosa",
    "Ethan", "Yuki", "Nadia", "Victor",
)  # fmt: skip
LAST_NAMES = (
    "Lopez", "Johnson", "Okafor", "Chen", "Rivera", "Walsh", "Patel", "Novak", "Kim",
    "Haddad", "Brooks", "Tanaka", "Mensah", "Schmidt", "Nguyen", "Alvarez", "Dubois",
    "Reyes", "Ibrahim", "Kowalski", "Murphy", "Santos", "Cohen", "Park", "Adeyemi",
    "Fischer", "Moreno", "Singh",
)  # fmt: skip
CLINICIANS = (
    "Dr. Chen", "Dr. Patel", "Dr. Okafor", "Dr. Rivera", "Dr. Walsh", "Dr. Haddad",
    "Dr. Kim", "Dr. Brooks", "Dr. Mensah", "Dr. Alvarez",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December",
)  # fmt: skip


def person(rng: random.Random, exclude: Sequence[str] = ()) -> str:
    """A full name ("Maria Lopez"), different from those in `exclude`."""
    while True:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        if name not in exclude and name.split()[0] not in {e.split()[0] for e in exclude}:
            return name


def first(name: str) -> str:
    """The first name of a full name, for the second mention in a stem."""
    return name.split()[0]


def money(cents: int, *, cents_always: bool = False) -> str:
    """Dollars as a ledger writes them: "$1,250", "$36.50", "-$20" (cents shown when any)."""
    sign = "-" if cents < 0 else ""
    whole, rest = divmod(abs(cents), 100)
    if rest or cents_always:
        return f"{sign}${whole:,}.{rest:02d}"
    return f"{sign}${whole:,}"


def money_choices(choices: Sequence[Choice]) -> list[Choice]:
    """Money options written alike: cents on every option when any has cents.

    "$33.50" beside "$38.00", not "$38". Each choice's `value` is its amount in cents.
    """
    cents = any(c.value is not None and c.value % 100 for c in choices)
    return [
        replace(c, text=money(int(c.value), cents_always=cents)) if c.value is not None else c
        for c in choices
    ]


def dollars(rng: random.Random, low: int, high: int, step: int = 5) -> int:
    """A whole-dollar amount in cents, uniform over low..high in steps of `step` dollars."""
    return 100 * rng.randrange(low, high + 1, step)


def percent_of(cents: int, percent: int) -> int:
    """`percent`% of an amount, rounded half up to the cent."""
    return (cents * percent + 50) // 100


def long_date(day: dt.date) -> str:
    """A date as a notice or a letter writes it: "March 3, 2027"."""
    return f"{MONTHS[day.month - 1]} {day.day}, {day.year}"


def draw_date(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    """A date uniform between start and end, both included."""
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def plural(n: int, word: str, words: str | None = None) -> str:
    """A count with its noun: "1 day", "3 days" ("2 children" with `words`)."""
    return f"{n} {word if n == 1 else (words or word + 's')}"
