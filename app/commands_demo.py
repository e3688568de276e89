"""`cmasprep demo`: the whole pipeline on the embedded defaults, start to finish."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from app.common import console, handle_errors


@handle_errors
def demo(
    db: Annotated[
        Path, typer.Option("--db", help="Bank file for the demo (created fresh).")
    ] = Path("cmasprep-demo.duckdb"),
    count: Annotated[int, typer.Option("--count", "-n", help="Items per domain.")] = 40,
    out: Annotated[
        Path, typer.Option("--out", help="Folder for the plan's HTML and calendar.")
    ] = Path("demo-out"),
) -> None:
    """Run everything offline, from the notes to a learner's study plan.

    Generates and validates items for all 8 domains, reviews a sample, adds a sample
    learner with answers, and prints their study plan.

    Example: cmasprep demo --count 40
    """
    from app.common import bank, resolve_blueprint
    from app.jobs import generation_job, run_job
    from app.terminal import coverage_table, emit_plan, plan_table
    from bank.models import LETTERS, Learner, Response
    from pipelines.learners import learner_mastery, learner_readiness
    from pipelines.plans import plan_for
    from pipelines.review import decide_in
    from pipelines.stats import coverage

    con = console()
    for path in (db, Path(str(db) + ".wal")):
        path.unlink(missing_ok=True)
    demo_bank = bank(db)
    with demo_bank.write() as store:
        bp = resolve_blueprint(None)
        store.save_blueprint(bp)
    con.rule("1. Generate candidate items offline for every domain, validate, queue")
    job = generation_job(db, {d: count for d in bp.numbers}, "offline", seed=0)
    run_job(job, flow=True, blueprint=bp, out=con)

    con.rule("2. A reviewer approves a sample of the queue")
    now = datetime.now(UTC)
    with demo_bank.write() as store:
        approved = 0
        for d in bp.domains:
            for item in store.review_queue(domain=d.number, limit=d.count):
                decide_in(store, item.id, "demo-reviewer", "approve", now, note="demo sample")
                approved += 1
    con.print(f"demo-reviewer approved {approved} items (the blueprint's count per domain).")
    coverage_table(coverage(demo_bank))

    con.rule("3. A sample learner answers 80 practice items")
    rng = random.Random(7)
    strength = {1: 0.8, 2: 0.75, 3: 0.7, 4: 0.55, 5: 0.45, 6: 0.6, 7: 0.7, 8: 0.65}
    with demo_bank.write() as store:
        store.add_learner(
            Learner(
                id="sample-learner", exam_date=now.date() + timedelta(weeks=8), hours_per_week=8
            )
        )
        pool = store.find_items(statuses=["approved"])
        answers = []
        for n, item in enumerate(rng.sample(pool, min(80, len(pool)))):
            correct = rng.random() < strength.get(item.domain, 0.6)
            chosen = (
                item.answer if correct else rng.choice([x for x in LETTERS if x != item.answer])
            )
            answers.append(
                Response(
                    learner_id="sample-learner",
                    item_id=item.id,
                    correct=correct,
                    chosen=chosen,
                    answered_at=now - timedelta(minutes=200 - 2 * n),
                    seconds=rng.uniform(20, 60),
                )
            )
        store.save_responses(answers)
        mastery = learner_mastery(store, "sample-learner", bp)
    ready = learner_readiness(mastery, bp)
    for d in bp.domains:
        m = mastery[d.number]
        con.print(
            f"  domain {d.number}: mastery {m.mastery:.0%} ({m.lo:.0%}–{m.hi:.0%}), {m.n} answers",
            highlight=False,
        )
    con.print(
        f"Readiness: scaled score {ready.expected_score:.0f} ({ready.lo:.0f}–{ready.hi:.0f}), "
        f"chance of passing {ready.pass_chance()}",
        highlight=False,
    )

    con.rule("4. Their personal study plan to the exam (8 weeks, 8 hours a week)")
    with demo_bank.write() as store:
        plan = plan_for(store, "sample-learner", bp, today=now.date(), hours_per_week=8)
    out.mkdir(parents=True, exist_ok=True)
    from datetime import time

    emit_plan(
        plan,
        bp,
        time(18, 0),
        json_out=False,
        markdown=False,
        ics=out / "sample-learner.ics",
        html=out / "sample-learner.html",
    )
    plan_table(plan, bp)
    con.print(
        f"Bank: {db}. Open {out / 'sample-learner.html'}; "
        f"import {out / 'sample-learner.ics'} into a calendar."
    )
