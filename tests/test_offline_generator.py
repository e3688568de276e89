"""The offline generator: deterministic, balanced, flaw-free, grounded, enough items per domain,
half of them scenarios, distractors only from the fact's own concept class."""

from __future__ import annotations

import random
import re
from collections import Counter
from pathlib import Path

import pytest

from bank.models import Blueprint, Item
from bank.notes import NoteSet, load_notes
from bank.text import normalize_text
from generators.base import GenerationRequest
from generators.offline import SCENARIO_SHARE, OfflineGenerator, supported_items
from generators.recall import build_recall_item, natural_order, numeric_distractors
from generators.recall_models import drafts_for
from generators.scenarios.catalog import FAMILIES
from validators.flaws import check_flaws
from validators.grounding import quote_support

NOTES = Path(__file__).resolve().parents[1] / "data" / "notes"
RECALL_MODELS = {
    "term_from_definition",
    "definition_from_term",
    "item_from_category",
    "category_from_item",
    "numeric_fact",
    "procedure_first_step",
    "procedure_next_step",
    "procedure_last_step",
}
SCENARIO_MODELS = {f"{f.id}/{m}" for f in FAMILIES for m in f.models}


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
    models: Counter[str] = Counter()
    for items in supply.values():
        for item in items:
            models[item.extra["item_model"]] += 1
            assert check_flaws(item.stem, item.options, item.answer) == [], item
            assert item.generated and item.rationale and item.sources
            for source in item.sources:
                assert quote_support(source.quote, by_id[source.note].text) == 1.0
            assert item.provenance.generator == "offline"
            assert item.provenance.notes == sorted({s.note for s in item.sources})
            assert item.topic in {t for n in notes.notes for t in [n.topic]}
            assert item.enemy_group and item.difficulty and item.bloom
    assert set(models) == RECALL_MODELS | SCENARIO_MODELS, set(models) ^ (
        RECALL_MODELS | SCENARIO_MODELS
    )


def test_no_two_items_from_one_fact_and_model(supply: dict[int, list[Item]]) -> None:
    for items in supply.values():
        keys = [(i.extra.get("fact"), i.extra["item_model"], i.stem, i.key_text) for i in items]
        assert len(keys) == len(set(keys))
        assert len({i.content_hash for i in items}) == len(items)


def test_numeric_distractors_are_near_and_ordered() -> None:
    for position in range(4):
        values = numeric_distractors("30 days", position)
        assert values is not None
        numbers = sorted([30, *(int(v.split()[0]) for v in values)])
        assert numbers.index(30) == position
        assert all(v.endswith(" days") for v in values)
    assert numeric_distractors("$1,250.00", 1) is not None
    assert all(float(v.rstrip("%")) <= 100 for v in numeric_distractors("60%", 0) or [])


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
            GenerationRequest(domain=5, count=10, topic="billing compliance", difficulty="medium"),
            notes,
            blueprint,
        )
        .items
    )
    assert items and all(
        i.topic == "billing compliance" and i.difficulty == "medium" for i in items
    )
    assert len(drafts_for(notes, 5, "billing compliance")) < len(drafts_for(notes, 5))


# --- what an item writer asks of the items (issue: items an item writer accepts) -------------


def _concept_class(item: Item, notes: NoteSet) -> set[str]:
    """What may stand beside a recall item's key: its note's facts, its fact's hand-picked
    alternatives, the members of a confusable set holding the key (and their definitions)."""
    note_id, line = item.extra["fact"].rsplit(":", 1)
    note = notes.by_id()[note_id]
    fact = next(f for f in note.facts if f.line == int(line))
    allowed = {normalize_text(v) for f in note.facts for v in f.fields}
    allowed |= {normalize_text(s) for f in note.facts for v in f.fields for s in v.split(">")}
    allowed |= {normalize_text(a) for a in fact.alts}
    for members in notes.confusable_sets(item.domain):
        if normalize_text(item.key_text) in {normalize_text(m) for m in members}:
            allowed |= {normalize_text(m) for m in members}
    allowed |= {
        normalize_text(f.fields[1])
        for f in notes.facts
        if f.kind == "term" and normalize_text(f.fields[0]) in allowed
    }
    return allowed


def test_recall_distractors_come_only_from_the_facts_concept_class(
    supply: dict[int, list[Item]], notes: NoteSet
) -> None:
    checked = 0
    for items in supply.values():
        for item in items:
            if "fact" not in item.extra or item.extra["item_model"] == "numeric_fact":
                continue
            allowed = _concept_class(item, notes)
            distractors = [o for o, x in zip(item.options, "ABCD", strict=True) if x != item.answer]
            assert all(normalize_text(o) in allowed for o in distractors), item
            checked += 1
    assert checked > 350  # recall items of every kind but causes (asked in scenarios)


def test_items_of_one_fact_share_an_enemy_group_and_the_reverse_model_is_gone(
    supply: dict[int, list[Item]],
) -> None:
    by_fact: dict[str, set[str | None]] = {}
    for items in supply.values():
        for item in items:
            assert item.extra["item_model"] != "cause_of_effect"
            if "fact" in item.extra:
                by_fact.setdefault(item.extra["fact"], set()).add(item.enemy_group)
    assert by_fact and all(groups == {f"fact:{fact}"} for fact, groups in by_fact.items())


def test_most_items_are_front_office_scenarios_at_application_level(
    notes: NoteSet, blueprint: Blueprint
) -> None:
    gen = OfflineGenerator(check_flaws)
    for domain in blueprint.numbers:
        items = gen.generate(GenerationRequest(domain=domain, count=40, seed=2), notes, blueprint)
        scenarios = [i for i in items.items if "fact" not in i.extra]
        assert len(items.items) == 40
        # SCENARIO_SHARE of them where the families have that many distinct situations
        # (domain 1's supply 31 of 34 in a 40-item batch), and never under 70%.
        assert len(scenarios) >= min(SCENARIO_SHARE * 40 - 1, 0.7 * 40), domain
        assert all(i.bloom in ("apply", "analyze") for i in scenarios)


def test_options_read_cleanly_and_no_stem_word_echoes_in_the_key_alone(
    supply: dict[int, list[Item]],
) -> None:
    from generators.recall import echo_cue

    for items in supply.values():
        for item in items:
            if "fact" not in item.extra:
                continue
            assert all(o[:1] == o[:1].upper() for o in item.options), item.options
            assert echo_cue(item.stem, item.options, "ABCD".index(item.answer)) is None
            numbered = natural_order(item.options)
            assert numbered is None or numbered == item.options, item.options


# Round-2 blind review (issue #13): rationales that teach, distractors of the key's kind,
# stems that read as English. Each test fails on the behaviour the reviewers sent back.
BOILERPLATE = re.compile(
    r"does not answer this question|step \d+ of \d+|not the ones the source sets|"
    r"of another age|That is true of|That follows when|\*\*|(?:^|\s)#+\s|(?:^|\.\s)-\s|"
    r"the source sets for this|answers another question of the notes|in answer to this question"
)


def test_rationales_teach_in_full_sentences_without_boilerplate_or_markdown(
    supply: dict[int, list[Item]],
) -> None:
    for items in supply.values():
        for item in items:
            text = item.rationale or ""
            assert not BOILERPLATE.search(text), (item.id, text)
            if "fact" not in item.extra:
                continue
            for option in item.options:  # "Skin: integumentary system." is a table row
                assert f"{option}: " not in text, (option, text)


def test_every_distractor_is_named_for_what_it_is(supply: dict[int, list[Item]]) -> None:
    for items in supply.values():
        for item in items:
            if "fact" not in item.extra:
                continue
            body = (item.rationale or "").split(" Source: ")[0]
            for letter, option in zip("ABCD", item.options, strict=True):
                if letter == item.answer:
                    continue
                if f"{letter} is wrong. " not in body:  # a figure no note states: named as such
                    assert item.extra["item_model"] == "numeric_fact", (letter, body)
                    assert re.search(rf"\b{letter}\b[^.]* wrong: the figure the source sets", body)
                    continue
                said = body.split(f"{letter} is wrong. ", 1)[1].split(" is wrong. ")[0]
                # the distractor itself (or its figure) is what its sentence is about
                assert normalize_text(option)[:12] in normalize_text(said) or (
                    item.extra["item_model"] in ("definition_from_term", "category_from_item")
                ), (option, said)


def test_a_one_word_term_stands_beside_terms_of_one_kind(notes: NoteSet) -> None:
    memo = next(
        d for d in drafts_for(notes, 3) if d.model == "term_from_definition" and d.key == "Memo"
    )
    assert memo.pool and all(p.endswith("letter") for p in memo.pool), memo.pool
    assert "an internal message" in memo.stem


def test_stems_read_as_english(notes: NoteSet, blueprint: Blueprint) -> None:
    for domain in blueprint.numbers:
        for draft in drafts_for(notes, domain):
            if draft.model != "term_from_definition":
                continue
            # "What do staff call the knowingly and willfully executing ..." is no English
            frame = (
                r"^(?:Which term (?:describes|is used for|names|means|is defined as)"
                r"|What do medical office staff call) "
            )
            assert not re.search(frame + r"the \w+(?:ly|ing)\b", draft.stem), draft.stem
            if draft.key.startswith("-"):
                assert draft.stem.startswith("Which suffix means "), draft.stem


def test_a_key_that_a_stem_word_holds_is_an_echo() -> None:
    from generators.recall import echo_cue

    stem = "Which term means a scheme to defraud a health care benefit program?"
    assert echo_cue(stem, ["Abuse", "Waste", "Fraud", "Error"], 2) == "defraud"


def test_numeric_distractors_are_explained_by_figure(supply: dict[int, list[Item]]) -> None:
    # A figure a sentence of the notes states is named by it; the others are not explained
    # away with "less than the source sets": the key's figure is named instead.
    for items in supply.values():
        for item in items:
            if item.extra.get("item_model") != "numeric_fact":
                continue
            text = item.rationale or ""
            assert "the source sets for this" not in text, text
            for letter, option in zip("ABCD", item.options, strict=True):
                if letter != item.answer:
                    assert f"{letter} is wrong. The source gives {option} " in text or re.search(
                        rf"\b{letter}\b[^.]* wrong: the figure the source sets is", text
                    ), (letter, text)


def test_unordered_lists_make_no_sequence_items(
    notes: NoteSet, supply: dict[int, list[Item]]
) -> None:
    # A telephone message's contents have no order: no "which step follows" item on them.
    listed = {f.id for f in notes.facts if f.kind == "list"}
    assert len(listed) >= 10
    for items in supply.values():
        for item in items:
            assert item.extra.get("fact") not in listed, item.stem
    assert not any("date and time of the call" in i.stem for v in supply.values() for i in v)


def test_stems_have_no_description_colon_or_property_as_a_name(
    supply: dict[int, list[Item]],
) -> None:
    for items in supply.values():
        for item in items:
            assert "matches this description:" not in item.stem, item.stem
            assert "aging-report column:" not in item.stem, item.stem
            assert "call a high potential" not in item.stem, item.stem
            assert "Traveler's check" not in " ".join(item.options), item.stem


def test_a_figure_another_sentence_states_is_named_for_it(notes: NoteSet) -> None:
    fact = next(f for f in notes.facts if f.fields[0].startswith("What is the minimum compression"))
    draft = next(d for d in drafts_for(notes, 2) if d.fact == fact)
    note = notes.by_id()[fact.note]
    item = build_recall_item(draft, note, 2, random.Random(1))
    assert item is not None and item.rationale
    assert "1.5 inches elsewhere: For an infant" in item.rationale
    assert "less than" not in item.rationale and "more than the" not in item.rationale


def test_stated_figures_of_the_domain_become_distractors() -> None:
    # An MBI's 11 characters beside 3 and 22 characters was sent back: near counts, and
    # figures the domain's notes state in the same unit, come first.
    assert numeric_distractors("11 characters", 2) == [
        "9 characters",
        "10 characters",
        "12 characters",
    ]
    assert numeric_distractors("30 days", 1, ("45 days", "10 years")) == [
        "15 days",
        "45 days",
        "60 days",
    ]


def test_no_recall_item_asks_for_the_effect_of_a_cause(
    supply: dict[int, list[Item]], notes: NoteSet
) -> None:
    """Blind reviewers sent back every recall item of a cause (6 of 6 over three rounds):
    its options, other causes' effects, are eliminated without the content. Causes are
    asked inside scenarios, where the situation carries them."""
    causes = {f.id for f in notes.facts if f.kind == "cause"}
    assert causes
    for items in supply.values():
        for item in items:
            assert item.extra.get("fact") not in causes, item.stem
