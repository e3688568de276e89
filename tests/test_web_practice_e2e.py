"""A learner practises in a real browser (Chromium via Playwright) at desktop and phone size.

The issue's "Done when": open the link, see Today, ten tutor questions with feedback, a
ten-question timed form with a reload half-way, mastery and readiness moved, the plan
re-planned; no page scrolls sideways at 390 px; the keyboard footer is hidden on touch;
one learner never sees another's sessions. Screenshots of every learner page at both
widths go to /work/review/screens/ (or $SCREENS).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.browser import BROWSER_MARKS, chromium, served
from tests.test_web_practice import SECRET, TOKENS, build_bank

pytestmark = BROWSER_MARKS
SCREENS = Path(os.environ.get("SCREENS", "/work/review/screens"))
VIEWPORTS: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 860}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
LEARNER_OF = {"desktop": "lea", "phone": "bob"}


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Two learners with plans over a bank of approved items, served by uvicorn."""
    from app.web import create_app
    from bank.blueprint import load_blueprint

    db = tmp_path_factory.mktemp("practice-e2e") / "bank.duckdb"
    build_bank(db, load_blueprint(), per_domain=12, start=datetime.now(UTC))
    app = create_app(db, SECRET, sync_interval=0.1)
    with served(app, start_within=15, lifespan="on") as base:
        yield {"base": base, "app": app}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as launched:
        yield launched


class Visit:
    """One learner's browser tab: checks the width of every page and saves screenshots."""

    def __init__(self, page: Any, size: str) -> None:
        self.page, self.size = page, size
        self.shots: list[str] = []

    def check(self, name: str) -> None:
        """No sideways scroll on a phone; a full-page screenshot of the page."""
        page = self.page
        page.wait_for_load_state("load")
        width = page.evaluate("document.scrollingElement.scrollWidth")
        inner = page.evaluate("window.innerWidth")
        # On a phone a too-wide page zooms out and innerWidth grows with it: the device's
        # width is the bound.
        device = page.viewport_size["width"]
        assert width <= inner <= device, f"{name} is {width} px wide at {self.size} ({device})"
        SCREENS.mkdir(parents=True, exist_ok=True)
        if name not in self.shots:
            page.screenshot(path=str(SCREENS / f"{name}-{self.size}.png"), full_page=True)
            self.shots.append(name)


def _standing(page: Any) -> list[str]:
    cells: list[str] = page.locator("table.standing tbody tr td:nth-child(4)").all_inner_texts()
    return cells


@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_a_learner_practises_takes_a_timed_form_and_the_plan_follows(
    site: dict[str, Any], browser: Any, size: str
) -> None:
    learner = LEARNER_OF[size]
    other = next(name for name in TOKENS if name != learner)
    replica = site["app"].state.web.replica
    plan_made = replica.latest_plan(learner)[0]
    context = browser.new_context(**VIEWPORTS[size])
    page = context.new_page()
    visit = Visit(page, size)
    home = f"{site['base']}/learner/{TOKENS[learner]}"

    # Today
    page.goto(home)
    visit.check("learner-today")
    assert page.locator("#today").is_visible()
    assert page.locator("#practise-now").is_visible()
    assert "not measured yet" in page.locator(".kpis").inner_text()  # no answers, no number
    before = _standing(page)
    assert page.locator(".agenda").first.is_visible() == (size == "phone")
    assert page.locator(".cal-wrap").is_visible() == (size == "desktop")

    # Ten questions in tutor mode, each with its feedback
    page.locator("#tutor-10").click()
    page.wait_for_url(re.compile(r"/practice/[0-9a-f]+$"))
    tutor_url = page.url
    for n in range(10):
        assert f"Question {n + 1} of 10" in page.locator(".pcount").inner_text()
        if n == 0:
            visit.check("practice-question")
            keys = page.locator("footer.keys")
            assert keys.is_visible() == (size == "desktop")  # no keys to show on touch
        page.locator("button.opt").nth(n % 2).click()  # A (right) and B (wrong) in turn
        page.wait_for_url(re.compile(r"/feedback/\d+$"))
        verdict = page.locator(".verdict").inner_text()
        if n % 2:
            assert "Not quite" in verdict
            assert "only follows step one" in page.locator(".why-chosen").inner_text()
            assert page.locator("footer.keys").is_visible() == (size == "desktop")
            visit.check("practice-feedback")
        else:
            assert "Right" in verdict
        assert page.locator(".why-key").inner_text()
        page.locator("[data-next]").click()
        page.wait_for_load_state("load")
    page.wait_for_url(re.compile(r"/report$"))
    visit.check("practice-summary")
    assert "5 of 10 right" in page.locator(".big-line").first.inner_text()
    assert page.locator("[data-replanned]").is_visible()

    # A ten-question timed form, reloaded half-way
    page.goto(home)
    page.locator("#mock-10").click()
    page.wait_for_url(re.compile(r"/practice/[0-9a-f]+$"))
    mock_url = page.url
    assert mock_url != tutor_url
    visit.check("mock-question")
    for n in range(5):
        if n == 1:
            with page.expect_navigation():
                page.locator("input[data-flag]").click()  # saves the flag at once
        page.locator("button.opt").first.click()
        page.wait_for_url(re.compile(rf"\?at={n + 1}$"))
    left_before = page.locator("#time-left").inner_text()
    page.reload()
    assert "Question 6 of 10" in page.locator(".pcount").inner_text()
    left_after = page.locator("#time-left").inner_text()
    assert "00:00" < left_after <= left_before <= "06:00"  # the server's deadline, kept
    page.goto(mock_url + "?at=1")
    assert page.locator("input[data-flag]").is_checked()  # the flag survived the reload
    page.goto(mock_url + "?at=5")
    for n in range(5, 9):  # one question left open for the review screen
        page.locator("button.opt").nth(n % 4).click()
        page.wait_for_url(re.compile(rf"\?at={n + 1}$"))
    page.locator("button[value=review]").click()
    page.wait_for_url(re.compile(r"/review$"))
    visit.check("mock-review")
    assert "1</b> unanswered" in page.content() and "1</b> flagged" in page.content()
    page.locator("[data-submit-exam]").click()
    page.wait_for_url(re.compile(r"/report$"))
    visit.check("mock-report")
    assert "Predicted scaled score" in page.content()
    assert page.locator("[data-replanned]").is_visible()

    # Mastery and readiness moved; the plan was made again; nothing of the other learner
    page.goto(home)
    visit.check("learner-after")
    assert _standing(page) != before
    assert "rests on 19 answers" in page.locator(".kpis").inner_text()
    assert replica.latest_plan(learner)[0] > plan_made
    for sid in re.findall(r"/practice/([0-9a-f]+)", tutor_url + mock_url):
        theirs = page.request.get(f"{site['base']}/learner/{TOKENS[other]}/practice/{sid}")
        assert theirs.status == 404
    context.close()
