"""Domain 7 family: which backups bring a practice's server back after a drive failure.

Cognitive model (note d7-computer-fundamentals): an incremental backup copies what changed
since the last backup of any kind, so a restore needs the last full backup and then every
incremental made after it, in order (`incremental-restore`); a differential backup copies
what changed since the last full backup, so a restore needs the last full backup and only
the newest differential (`differential-restore`).

Item models, each a server failure the office manager has to recover from:
- incremental-restore: which backups to restore under a full + incremental schedule;
- differential-restore: which backups to restore under a full + differential schedule;
- restore-count: how many backups the restore takes, under either schedule.

Variables: the night of the weekly full backup (any day of the week); nightly partial
backups (incremental or differential) on each following night; the drive fails during
the day 3-5 days after the full backup, before that night's backup runs, so 2-4 partial
backups exist. A practice, an office manager and a server are named for the situation.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from generators.scenarios.base import Choice, Scenario
from generators.scenarios.common import first, person, plural

DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
PRACTICES = (
    "Riverside Family Practice", "Lakeview Pediatrics", "Northgate Internal Medicine",
    "Cedar Hills Orthopedics", "Harbor Dermatology", "Maple Street Clinic",
)  # fmt: skip
SERVERS = ("practice management server", "EHR database server", "office file server")


@dataclass(frozen=True)
class Failure:
    """One drawn backup schedule and the day its server fails."""

    practice: str
    manager: str
    server: str
    scheme: str  # "incremental" or "differential"
    full_day: int  # index into DAYS of the full backup night
    partials: int  # partial backups made between the full backup and the failure

    @property
    def full(self) -> str:
        """The name of the full backup's night."""
        return DAYS[self.full_day]

    @property
    def partial_days(self) -> list[str]:
        """The nights of the partial backups, oldest first."""
        return [DAYS[(self.full_day + i) % 7] for i in range(1, self.partials + 1)]

    @property
    def failure_day(self) -> str:
        """The day the drive fails, before that night's backup."""
        return DAYS[(self.full_day + self.partials + 1) % 7]


def _draw(rng: random.Random, scheme: str) -> Failure:
    manager = person(rng)
    return Failure(
        rng.choice(PRACTICES), manager, rng.choice(SERVERS), scheme, rng.randrange(7),
        rng.randint(2, 4),
    )  # fmt: skip


def _days(names: list[str]) -> str:
    """A run of nights: "Monday", "Monday and Tuesday", "Monday through Wednesday"."""
    if len(names) == 1:
        return names[0]
    if len(names) == 2:
        return f"{names[0]} and {names[1]}"
    return f"{names[0]} through {names[-1]}"


def _stem(f: Failure, question: str) -> str:
    other = "incremental" if f.scheme == "incremental" else "differential"
    return (
        f"{f.practice} backs up its {f.server} every night after closing: a full backup on "
        f"{f.full} night and a{'n' if other[0] == 'i' else ''} {other} backup on each of the "
        f"other nights. On {f.failure_day} afternoon, before that night's backup, the "
        f"server's drive fails, and {f.manager}, the office manager, restores the data onto "
        f"a new drive up to the last backup. {question}"
    )


def _sets(f: Failure) -> tuple[Choice, tuple[Choice, ...]]:
    """The key and the distractors of the which-backups question, as backup sets."""
    kind = f.scheme
    days = f.partial_days
    last, first_partial = days[-1], days[0]
    full = f"{f.full}'s full backup"
    every = f"the {_days(days)} {kind}s"
    one_last = f"the {last} {kind}"
    too_many = [*days, f.failure_day]
    if kind == "incremental":
        key = Choice(
            f"{full} and {every}",
            f"Each incremental holds only the changes since the backup before it, so "
            f"{full} is restored first and then every incremental made after it, "
            f"{_days(days)}, in order.",
        )
        wrong = [
            Choice(
                f"{full} and {one_last}",
                f"The {last} incremental holds only that day's changes; restoring it on top "
                "of the full backup would skip the changes kept in the earlier incrementals.",
                "treated-incremental-as-differential",
            ),
            Choice(
                f"The {_days(days)} {kind}s",
                "Incrementals hold only changed files, so without the full backup "
                "underneath them most of the data would be missing.",
                "forgot-full-backup",
            ),
            Choice(
                f"{full} by itself",
                f"The full backup brings the data back only to {f.full} night; the changes "
                "made after it are in the incrementals.",
                "full-backup-only",
            ),
            Choice(
                f"The {last} {kind} by itself",
                f"The {last} incremental holds one day's changes and needs the full backup "
                "and the earlier incrementals beneath it.",
                "newest-backup-only",
            ),
            Choice(
                f"{full} and the {_days(too_many)} {kind}s",
                f"No {f.failure_day} backup exists: the drive failed before that night's "
                "backup ran.",
                "counted-failure-day",
            ),
        ]
    else:
        key = Choice(
            f"{full} and {one_last}",
            f"Each differential holds every change since the last full backup, so {full} "
            f"and the newest differential, {last}'s, bring the data back to {last} night.",
        )
        wrong = [
            Choice(
                f"{full} and {every}",
                f"The {last} differential already holds every change since the full backup; "
                "the earlier differentials add nothing.",
                "treated-differential-as-incremental",
            ),
            Choice(
                f"{full} and the {first_partial} {kind}",
                f"The {first_partial} differential is the oldest and lacks the changes made "
                f"after it; the newest one, {last}'s, holds them all.",
                "oldest-differential",
            ),
            Choice(
                f"The {last} {kind} by itself",
                "A differential holds only what changed since the full backup, so the full "
                "backup has to be restored under it.",
                "forgot-full-backup",
            ),
            Choice(
                f"{full} by itself",
                f"The full backup brings the data back only to {f.full} night; the newest "
                "differential holds the changes made since.",
                "full-backup-only",
            ),
        ]
    return key, tuple(wrong)


def _count(f: Failure) -> tuple[Choice, tuple[Choice, ...]]:
    """The key and distractors of the how-many-backups question."""
    n = f.partials
    backups = "backups"

    def option(value: int, why: str, misconception: str | None) -> Choice:
        return Choice(plural(value, "backup"), why, misconception, value)

    if f.scheme == "incremental":
        key = option(
            n + 1,
            f"The full backup and each of the {n} incrementals made since it: 1 + {n} = "
            f"{n + 1} {backups}.",
            None,
        )
        wrong = [
            option(
                2,
                "2 backups would be right for differentials; each incremental holds only "
                "one day's changes, so every one of them is needed.",
                "treated-incremental-as-differential",
            ),
            option(
                n,
                f"{plural(n, 'backup')} counts the incrementals but leaves out the full backup "
                "they build on.",
                "forgot-full-backup",
            ),
            option(
                n + 2,
                f"{plural(n + 2, 'backup')} counts a {f.failure_day} backup that never ran: "
                "the drive failed before that night's backup.",
                "counted-failure-day",
            ),
            option(
                1,
                "1 backup, the full one, loses every change made after it.",
                "full-backup-only",
            ),
        ]
    else:
        key = option(
            2,
            "The full backup and the newest differential, which holds every change since "
            "the full backup: 2 backups.",
            None,
        )
        wrong = [
            option(
                n + 1,
                f"{plural(n + 1, 'backup')} would restore every differential in turn; the "
                "newest one already holds the changes of the others.",
                "treated-differential-as-incremental",
            ),
            option(
                1,
                "1 backup, the differential, cannot be restored without the full backup under it.",
                "forgot-full-backup",
            ),
            option(
                n + 2,
                f"{plural(n + 2, 'backup')} counts every differential and a {f.failure_day} "
                "backup that never ran.",
                "counted-failure-day",
            ),
            option(
                n,
                f"{plural(n, 'backup')} counts the differentials but leaves out the full "
                "backup they build on.",
                "forgot-full-backup-counted-all",
            ),
        ]
    return key, tuple(w for w in wrong if w.value != key.value)


def _scenario(f: Failure, model: str) -> Scenario:
    rule = f"{f.scheme}-restore"
    name = first(f.manager)
    if model == "restore-count":
        key, wrong = _count(f)
        question = (
            f"What is the smallest number of backups, counting the full backup, that {name} "
            "restores to bring the data back?"
        )
        steps, ordered = 3, True
    else:
        key, wrong = _sets(f)
        question = f"Which backups, and no more, does {name} restore to bring the data back?"
        steps, ordered = 2, False
    return Scenario(
        family=BackupRestore.id,
        model=model,
        stem=_stem(f, question),
        key=key,
        distractors=wrong,
        rules=(rule,),
        steps=steps,
        bloom="apply",
        variables={
            **f.__dict__,
            "full": f.full,
            "partial_days": f.partial_days,
            "failure_day": f.failure_day,
        },
        ordered=ordered,
    )


class BackupRestore:
    """Which backups restore a failed server under a full + incremental or differential plan."""

    id: str = "d7-backup-restore"
    domain: int = 7
    topic: str = "computer fundamentals"
    models: tuple[str, ...] = ("incremental-restore", "differential-restore", "restore-count")
    rules: tuple[str, ...] = ("incremental-restore", "differential-restore")

    def draw(self, rng: random.Random, model: str) -> Scenario:
        """One failure of `model`, its schedule and day drawn with `rng`."""
        if model == "restore-count":
            scheme = rng.choice(("incremental", "differential"))
        else:
            scheme = model.split("-")[0]
        return _scenario(_draw(rng, scheme), model)


FAMILIES = (BackupRestore(),)
