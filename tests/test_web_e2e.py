"""End to end in a real browser: Debian's Chromium driven by Playwright against uvicorn.

A reviewer signs in and clears three items with the keyboard alone; a learner opens
their plan page and downloads the calendar. Needs `apt-get install chromium` and
`pip install playwright` (its own browser download is not used).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.browser import BROWSER_MARKS, chromium, served

pytestmark = BROWSER_MARKS

REVIEWER_TOKEN = "e2e-reviewer-" + "r" * 30
LEARNER_TOKEN = "e2e-learner-" + "l" * 31
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A bank with three queued items, a reviewer and a learner with a plan, served by
    uvicorn on a free loopback port in a thread."""
    from app.web import create_app
    from app.web.auth import token_hash
    from bank.blueprint import load_blueprint
    from bank.models import Learner
    from bank.store import open_store
    from pipelines.plans import plan_for
    from tests.conftest import make_item
    from validators.detector import LayeredDetector
    from validators.lexical import LexicalLayer

    db = tmp_path_factory.mktemp("e2e") / "bank.duckdb"
    blueprint = load_blueprint()
    items = [make_item(i) for i in range(3)]
    with open_store(db) as store:
        store.save_blueprint(blueprint)
        store.save_items(items)
        store.add_reviewer("ana", token_hash(REVIEWER_TOKEN))
        store.add_learner(Learner(id="lea", exam_date=date(2027, 1, 25), hours_per_week=6))
        store.set_learner_token_hash("lea", token_hash(LEARNER_TOKEN))
        plan = plan_for(store, "lea", blueprint, today=date(2026, 11, 23), hours_per_week=6)
    app = create_app(
        db,
        "e2e-secret-key-0123456789abcdef",
        detector=LayeredDetector([LexicalLayer()]),
        clock=lambda: NOW,
    )
    with served(app, lifespan="off") as base:
        yield {"base": base, "db": db, "items": items, "plan": plan, "app": app}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


def test_a_reviewer_clears_three_items_with_the_keyboard(site: dict, browser: Any) -> None:
    from bank.store import open_store

    base = site["base"]
    page = browser.new_page()
    page.goto(f"{base}/login")
    page.keyboard.type(REVIEWER_TOKEN)  # the token field has focus
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{base}/queue"
    assert page.locator("tr[data-href]").count() == 3

    with page.expect_navigation():
        page.keyboard.press("Enter")  # open the row under the cursor
    seen = [page.url]
    for key in ("a", "a"):
        assert page.locator(".keys kbd", has_text=key).count() == 1  # the hint is on screen
        with page.expect_navigation():
            page.keyboard.press(key)
        assert page.url not in seen and "/items/" in page.url
        seen.append(page.url)
    page.keyboard.press("r")
    reason = page.locator("#reason")
    assert reason.is_visible() and reason.evaluate("el => el === document.activeElement")
    page.keyboard.type("duplicate")  # type-ahead picks the reason in the focused list
    assert reason.input_value() == "duplicate"
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert re.search(r"/queue$", page.url)
    assert "Nothing left to review here" in page.content()
    assert page.locator(".flash").inner_text().startswith("Rejected (duplicate)")
    page.close()

    # Issue #17: a decision reaches the bank just after its page is sent: let it land.
    assert site["app"].state.web.replica.sync()
    with open_store(site["db"], read_only=True) as store:
        statuses = sorted(store.get_item(i.id).status for i in site["items"])
        trail = [(e.reviewer, e.decision, e.reason) for e in store.events()]
    assert statuses == ["approved", "approved", "rejected"]
    assert trail == [
        ("ana", "approve", None),
        ("ana", "approve", None),
        ("ana", "reject", "duplicate"),
    ]


def test_a_learner_opens_their_plan_and_downloads_the_calendar(site: dict, browser: Any) -> None:
    from planner.calendar import ics_events

    context = browser.new_context(accept_downloads=True, timezone_id="Europe/Lisbon")
    page = context.new_page()
    page.goto(f"{site['base']}/learner/{LEARNER_TOKEN}")
    assert page.locator("h1").inner_text() == "Your study plan, lea"
    plan = site["plan"]
    rows = page.locator("table.cal tbody tr")
    assert rows.count() in (len(plan.weeks), len(plan.weeks) + 1)  # + the exam's week
    assert page.locator("table.cal .block:not(.exam-block)").count() == len(
        [b for b in plan.blocks if b.date]
    )
    assert page.locator(".report svg").count() == 3
    assert page.locator("input[name=tz]").input_value() == "Europe/Lisbon"  # from the browser
    with page.expect_download() as info:
        page.locator("#download-ics").click()
    download = info.value
    assert download.suggested_filename == "lea-study-plan.ics"
    events = ics_events(Path(download.path()).read_bytes())
    assert len(events) == len([b for b in plan.blocks if b.date])
    assert str(events[0].start.tzinfo) == "Europe/Lisbon" and events[0].start.hour == 18
    context.close()
