"""The offline generator: deterministic, balanced, flaw-free, grounded, enough items per domain."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest

from bank.models import Blueprint, Item
from bank.notes import NoteSet, load_notes
from generators.base import GenerationRequest
from generators.offline import OfflineGenerator, _numeric_distractors, drafts_for, supported_items
from validators.flaws import check_flaws
from validators.grounding import quote_support

NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"
MODELS = {
    "term_from_definition",
    "definition_from_term",
    "item_from_category",
    "category_from_item",
    "numeric_fact",
    "procedure_first_step",
    "procedure_next_step",
    "effect_of_cause",
    "cause_of_effect",
}


@pytest.fixture(scope="module")
def notes(blueprint: Blueprint) -> NoteSet:
    return load_notes(NOTES, blueprint)


@pytest.fixture(scope="module")
def supply(notes: NoteSet, blueprint: Blueprint) -> dict[int, list[Item]]:
    return {
        d.number: supported_items(notes, blueprint, d.number, screen=check_flaws)
        for d in blueprint.domains
    }


def test_same_request_same_items_and_another_seed_differs(
    notes: NoteSet, blueprint: Blueprint
) -> None:
    gen = OfflineGenerator(check_flaws)
    request = GenerationRequest(domain=5, count=25, seed=7)
    first = gen.generate(request, notes, blueprint).items
    assert first == gen.generate(request, notes, blueprint).items
    other = gen.generate(GenerationRequest(domain=5, count=25, seed=8), notes, blueprint).items
    assert [i.id for i in other] != [i.id for i in first]


def test_keys_are_balanced_across_a_batch(notes: NoteSet, blueprint: Blueprint) -> None:
    for domain in (1, 4, 5, 6):
        items = (
            OfflineGenerator(check_flaws)
            .generate(GenerationRequest(domain=domain, count=40, seed=1), notes, blueprint)
            .items
        )
        counts = Counter(i.answer for i in items)
        assert len(items) == 40
        assert max(counts.values()) - min(counts.values()) <= 6, (domain, counts)


def test_every_domain_supports_three_times_its_blueprint_count(
    supply: dict[int, list[Item]], blueprint: Blueprint
) -> None:
    for d in blueprint.domains:
        assert len(supply[d.number]) >= 3 * d.count, (d.number, len(supply[d.number]))


def test_every_item_is_valid_flaw_free_and_grounded(
    supply: dict[int, list[Item]], notes: NoteSet
) -> None:
    by_id = notes.by_id()
    models = Counter()
    for items in supply.values():
        for item in items:
            models[item.extra["item_model"]] += 1
            assert check_flaws(item.stem, item.options, item.answer) == [], item
            assert item.generated and item.rationale and item.sources
            source = item.sources[0]
            assert quote_support(source.quote, by_id[source.note].text) == 1.0
            assert item.provenance.generator == "offline" and item.provenance.notes == [source.note]
            assert item.topic in {t for n in notes.notes for t in [n.topic]}
    assert set(models) == MODELS, models


def test_no_two_items_from_one_fact_and_model(supply: dict[int, list[Item]]) -> None:
    for items in supply.values():
        keys = [(i.extra["fact"], i.extra["item_model"], i.stem) for i in items]
        assert len(keys) == len(set(keys))
        assert len({i.content_hash for i in items}) == len(items)


def test_numeric_distractors_are_near_and_ordered() -> None:
    rng = random.Random(0)
    for position in range(4):
        values = _numeric_distractors("30 days", position, rng)
        assert values is not None
        numbers = sorted([30, *(int(v.split()[0]) for v in values)])
        assert numbers.index(30) == position
        assert all(v.endswith(" days") for v in values)
    assert _numeric_distractors("$1,250.00", 1, rng) is not None
    assert all(float(v.rstrip("%")) <= 100 for v in _numeric_distractors("60%", 0, rng) or [])


def test_numeric_items_list_options_in_ascending_order(supply: dict[int, list[Item]]) -> None:
    from validators.flaws import lost_sequence

    numeric = [
        i for items in supply.values() for i in items if i.extra["item_model"] == "numeric_fact"
    ]
    assert len(numeric) >= 20
    assert all(not lost_sequence(i.stem, i.options, i.answer) for i in numeric)


def test_exclude_skips_items_already_in_the_bank(notes: NoteSet, blueprint: Blueprint) -> None:
    gen = OfflineGenerator(check_flaws)
    first = gen.generate(GenerationRequest(domain=2, count=10, seed=3), notes, blueprint).items
    again = gen.generate(
        GenerationRequest(
            domain=2, count=10, seed=3, exclude=frozenset(i.content_hash for i in first)
        ),
        notes,
        blueprint,
    ).items
    assert len(again) == 10 and not {i.id for i in first} & {i.id for i in again}


def test_topic_and_difficulty_filters(notes: NoteSet, blueprint: Blueprint) -> None:
    items = (
        OfflineGenerator(check_flaws)
        .generate(
            GenerationRequest(domain=5, count=10, topic="billing compliance", difficulty="easy"),
            notes,
            blueprint,
        )
        .items
    )
    assert items and all(i.topic == "billing compliance" and i.difficulty == "easy" for i in items)
    assert len(drafts_for(notes, 5, "billing compliance")) < len(drafts_for(notes, 5))
