"""Issue #17 in a real browser (Debian's Chromium through Playwright, against uvicorn):
decisions by key with undo (`z`), the assignment warning, bulk approval from the queue,
and every reviewer page at 390 px without sideways scroll."""

# ruff: noqa: F811  (the browser fixture imported from tests.test_web_e2e is a parameter here)

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.browser import served
from tests.test_web_e2e import browser, pytestmark  # noqa: F401

TOKEN = "e2e-review17-" + "r" * 30
BEN = "e2e-review17-ben-" + "b" * 26


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Eight queued items (one with a long unbroken id and stem), two reviewers, served
    by uvicorn in a thread (with its lifespan, so the sync thread runs)."""
    from datetime import UTC, datetime

    from app.web import create_app
    from app.web.auth import token_hash
    from bank.blueprint import load_blueprint
    from bank.store import open_store
    from tests.conftest import make_item
    from validators.detector import LayeredDetector
    from validators.lexical import LexicalLayer

    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    db = tmp_path_factory.mktemp("e2e17") / "bank.duckdb"
    long_word = "Supercalifragilistic" * 6
    items = [make_item(i) for i in range(7)]
    items.append(make_item(7, id="import/" + "X" * 80, stem=f"Which {long_word} form is it?"))
    checked = {"checked_at": now, "checks_version": "test"}
    with open_store(db) as store:
        store.save_blueprint(load_blueprint())
        store.save_items([it.model_copy(update=checked) for it in items])
        store.add_reviewer("ana", token_hash(TOKEN))
        store.add_reviewer("ben", token_hash(BEN))
        store.assign([items[6].id], "ben", now, by="lead")
    app = create_app(
        db,
        "e2e-secret-key-0123456789abcdef",
        detector=LayeredDetector([LexicalLayer()]),
        clock=lambda: now,
    )
    with served(app) as base:
        yield {"base": base, "db": db, "items": items, "app": app}


def _sign_in(page: Any, base: str, token: str = TOKEN) -> None:
    page.goto(f"{base}/login")
    page.fill("#token", token)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _bank_events(site: dict[str, Any], item_id: str) -> list[tuple[str, str, str | None]]:
    from bank.store import open_store

    assert site["app"].state.web.replica.sync()
    with open_store(site["db"], read_only=True) as store:
        return [(e.reviewer, e.decision, e.reason) for e in store.events(item_id)]


def test_undo_with_z_brings_the_item_back_and_keeps_both_events(site: dict, browser: Any) -> None:
    base, first = site["base"], site["items"][0]
    page = browser.new_page()
    _sign_in(page, base)
    page.goto(f"{base}/items/{first.id}")
    with page.expect_navigation():
        page.keyboard.press("a")
    assert first.id not in page.url and "/items/" in page.url
    flash = page.locator(".flash")
    assert flash.inner_text().startswith(f"Approved {first.id}") and "Undo" in flash.inner_text()
    assert "1 done this session" in page.locator("[data-progress]").first.inner_text()
    with page.expect_navigation():
        page.keyboard.press("z")
    assert page.url.endswith(f"/items/{first.id}")
    assert page.locator(".flash").inner_text().startswith(f"Undone: {first.id}")
    assert page.locator("#approve-form").count() == 1  # pending again, decidable
    assert "0 done this session" in page.locator("[data-progress]").first.inner_text()
    page.close()
    assert _bank_events(site, first.id) == [
        ("ana", "approve", None),
        ("ana", "reopen", None),
    ]


def test_deciding_bens_item_warns_and_enter_confirms(site: dict, browser: Any) -> None:
    base, bens = site["base"], site["items"][6]
    page = browser.new_page()
    _sign_in(page, base)
    page.goto(f"{base}/items/{bens.id}?reviewer=%2A")
    assert page.locator("#assigned-warning").inner_text().startswith("Assigned to ben.")
    page.keyboard.press("a")
    page.locator("#confirm-form").wait_for()
    assert _bank_events(site, bens.id) == [("lead", "assign", None)]
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the "Approve anyway" button has focus
    assert page.locator(".flash").inner_text().startswith(f"Approved {bens.id}")
    page.close()
    assert _bank_events(site, bens.id)[-1] == ("ana", "approve", None)


def test_bulk_approve_two_rows_from_the_queue(site: dict, browser: Any) -> None:
    base = site["base"]
    picked = [site["items"][3].id, site["items"][4].id]
    page = browser.new_page()
    _sign_in(page, base)
    for item_id in picked:
        page.check(f'input[name=ids][value="{item_id}"]')
    assert page.locator("[data-selected]").inner_text() == "2"
    with page.expect_navigation():
        page.click("#bulk-form button[value=approve]")
    assert page.locator(".flash").inner_text().startswith("Approved 2 items.")
    page.close()
    for item_id in picked:
        assert _bank_events(site, item_id) == [("ana", "approve", None)]


def test_no_reviewer_page_scrolls_sideways_at_390_px(site: dict, browser: Any) -> None:
    base, long_item = site["base"], site["items"][7]
    from urllib.parse import quote

    page = browser.new_page(viewport={"width": 390, "height": 844})
    wide = "document.scrollingElement.scrollWidth <= window.innerWidth"
    page.goto(f"{base}/login")
    assert page.evaluate(wide), "sign-in"
    _sign_in(page, base)
    for path in ("/queue", f"/items/{quote(long_item.id)}", "/dashboard", "/queue?reviewer=%2A"):
        page.goto(f"{base}{path}")
        assert page.evaluate(wide), path
        sign_out = page.locator("header form[action='/logout'] button")
        box = sign_out.bounding_box()
        assert box and box["x"] + box["width"] <= 390, f"Sign out off-screen on {path}"
    page.goto(f"{base}/queue")
    stem = page.locator("tr[data-href] .stem-cell").first
    assert stem.is_visible() and stem.bounding_box()["width"] > 200  # the question stays
    page.goto(f"{base}/items/{quote(long_item.id)}")
    card = page.locator("article.item").bounding_box()
    assert card and card["x"] >= 0 and card["x"] + card["width"] <= 390
    page.close()
