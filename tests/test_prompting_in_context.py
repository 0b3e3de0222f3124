"""The in-context probes and the corpus they are held out from, checked by an independent route: the answer
word a probe expects is the one its own examples tie to the coin's side, the word mapping's answer is the word
its prompt paired with the name, and no document with questions and answers can contain a held-out layout,
wording or answer word."""

import random
import re
from collections import Counter

import pytest

from core.prompting import corpus, labels, layouts, pieces
from core.prompting.answers import read_answer
from core.prompting.corpus import document
from core.prompting.in_context import (
    FOLLOWS,
    OTHER,
    PRIOR,
    PROBE_KINDS,
    default_ks,
    flipped_outcome,
    k_choices,
    label_probe,
    probes,
    word_mapping_probe,
)
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES

HELD_OUT_WORDS = {w for pool in labels.HELD_OUT.values() for w in pool}


def heads_up(question: str) -> bool:
    return question.count(" flips it.") % 2 == 0


def test_label_probe_expects_the_word_its_balanced_examples_tie_to_the_side():
    for seed in range(200):
        probe = label_probe(4, random.Random(seed))
        *items, query = probe.prompt.split("\n\n")
        word_for, sides = {}, Counter()
        for item in items:
            question, answer = re.fullmatch(r"Q: (.+)\nA: (.+)", item).groups()
            assert word_for.setdefault(heads_up(question), answer) == answer  # one word per side
            sides[heads_up(question)] += 1
        assert sides[True] == sides[False] == 2  # balanced: both words shown
        assert set(word_for.values()) <= HELD_OUT_WORDS and probe.kind in labels.HELD_OUT
        assert set(word_for.values()) <= set(labels.HELD_OUT[probe.kind])
        assert probe.truth == word_for[heads_up(re.fullmatch(r"Q: (.+)\nA:", query).group(1))]
        assert "Answer with" not in probe.prompt  # no instruction line names the words


def test_the_same_questions_are_asked_for_every_k_and_every_layout():
    queries = {k: [p.prompt.rsplit("\n\n", 1)[-1] for p in probes("labels", k, 20)] for k in (0, 1, 4, 8)}
    assert queries[0] == queries[1] == queries[4] == queries[8]
    truths = {name: [p.truth for p in probes(f"layout:{name}", 4, 20)] for name in ("Q:/A:", "x -> y", "[Q] / [A]")}
    assert truths["Q:/A:"] == truths["x -> y"] == truths["[Q] / [A]"]
    assert probes("layout:x -> y", 4, 1)[0].prompt.endswith(" ->")


@pytest.mark.parametrize("name", list(layouts.TRAINED) + list(layouts.HELD_OUT))
def test_word_mapping_answer_is_the_word_paired_with_the_name(name):
    layout = {**layouts.TRAINED, **layouts.HELD_OUT}[name]
    for seed in range(100):
        probe = word_mapping_probe(6, random.Random(seed), layout)
        *listed, query = probe.prompt.split("\n\n" if "\n" in layout.answer else "\n")
        pairs = {}
        for line in listed:
            key, value = line.removeprefix(layout.question).split(layout.answer + " ")
            pairs[key] = value
        assert len(pairs) == 6 and len(set(pairs.values())) == 6 and set(pairs.values()) <= HELD_OUT_WORDS
        name_asked = query.removeprefix(layout.question).removesuffix(layout.answer)
        assert probe.truth == pairs[name_asked] and probe.chance == pytest.approx(1 / 6)


def test_flipped_probe_expects_the_opposite_of_the_coin():
    for probe in probes("flipped", 8, 50):
        *items, query = probe.prompt.split("\n\n")
        for item in items:
            question, answer = re.fullmatch(r"Q: (.+)\nA: (yes|no)", item).groups()
            assert answer == ("no" if heads_up(question) else "yes")
        assert probe.truth == ("no" if heads_up(re.fullmatch(r"Q: (.+)\nA:", query).group(1)) else "yes")


def test_flipped_probes_take_turns_between_the_answers_and_replies_are_told_apart():
    """Half of the flipped probes expect "yes" and half "no", so a model that answers one word to everything
    follows on one half only; a reply is the flipped answer, the coin's true side (the prior) or neither."""
    items = probes("flipped", 4, 40)
    assert [p.truth for p in items] == ["yes", "no"] * 20
    for p in items:
        true_side = "yes" if heads_up(p.prompt.rsplit("Q: ", 1)[1]) else "no"
        assert p.truth != true_side
        assert flipped_outcome(p, f" The answer is {p.truth}.") == FOLLOWS
        assert flipped_outcome(p, f" The answer is {true_side.upper()}.") == PRIOR
        assert flipped_outcome(p, " The answer is rock.") == OTHER and flipped_outcome(p, " Let me see") == OTHER


def test_trained_answer_words_are_never_held_out_ones_and_cover_every_kind():
    rng = random.Random(0)
    drawn = [labels.trained_label(rng) for _ in range(20_000)]
    lowered = {w.lower() for w in drawn}
    assert not lowered & labels.HELD_OUT_WORDS and not lowered & {"yes", "no"}
    assert any(" " in w for w in drawn) and any(w[:1].isupper() for w in drawn) and any(w.isdigit() for w in drawn)
    assert any(w in labels.SYMBOLS for w in drawn) and len(lowered) > 2000  # many rare classes
    # by construction: held-out numbers have three digits, held-out symbols are in no trained word
    assert all(len(n) == 3 for n in labels.HELD_OUT["numbers"]) and not any(len(w) == 3 for w in drawn if w.isdigit())
    assert not any(set(w) & set("".join(labels.HELD_OUT["symbols"])) for w in drawn)
    assert any(w in pieces.word_pieces() for w in drawn)  # answer words of random tokens (whole vocabulary)


def test_random_token_runs_cover_the_vocabulary_and_only_they_may_hold_held_out_marks():
    rng = random.Random(0)
    run = pieces.piece_run(rng, 20_000)
    assert len(set(pieces.pieces())) > 1800 and sum(p in run for p in pieces.pieces()) > 1800
    docs = [corpus.document(rng) for _ in range(2000)]
    marked = [d for d in docs if any(mark in d for mark in corpus.MARKS)]
    assert marked and all(written_twice(d) for d in marked)  # a run written twice, no questions or layout


def written_twice(text: str) -> bool:
    return text[: len(text) // 2].strip() == text[(len(text) + 1) // 2 :].strip()


def test_every_held_out_layout_and_wording_carries_a_mark_the_corpus_rejects():
    for layout in layouts.HELD_OUT.values():
        assert any(mark in layout.item("Ann", "fox") for mark in corpus.MARKS)
    for family in FAMILIES.values():
        for wording in family.held_out.values():
            for seed in range(20):
                question = sample(family, random.Random(seed), family.train_lengths[-1], "test", wording).question
                assert any(mark in question for mark in family.held_out_marks), question


def test_no_document_with_questions_and_answers_holds_held_out_material():
    rng = random.Random(5)
    words = re.compile(
        r"(?<![\w#@$^])(" + "|".join(re.escape(w) for w in sorted(HELD_OUT_WORDS, key=len)[::-1]) + r")(?![\w#@$^])",
        re.I,
    )
    with_answers = {kind: weight for kind, weight in corpus.KIND_WEIGHTS.items() if kind != "repeat"}
    for _ in range(1500):
        text = corpus.KINDS[corpus.pick(rng, with_answers.items())](rng)  # a repeat run has no questions or answers
        if any(mark in text for mark in corpus.MARKS):
            continue  # `document` draws these again
        assert not words.search(text), words.search(text).group(0)
    docs = [document(random.Random(seed)) for seed in range(1500)]
    structured = [
        d for d in docs if "\n" in d and ("A:" in d or "Answer" in d or "Output" in d) and not written_twice(d)
    ]
    assert structured and not any(mark in d for d in structured for mark in corpus.MARKS)


def test_corpus_documents_keep_one_answer_mode_at_every_length():
    docs = [corpus.qa_document(random.Random(seed)) for seed in range(1500)]
    chains = [d for d in docs if "So the answer is" in d]
    direct = [d for d in docs if "So the answer is" not in d]
    assert 0.35 < len(chains) / len(docs) < 0.65
    assert not any("Let's think" in d for d in direct)
    long_direct = [d for d in direct if d.count(" flips it.") + d.count(" does not flip it.") >= 10]
    assert long_direct  # long problems answered at once exist: the examples, not the length, set the mode
    assert sum("Question:" in d for d in docs) > 50 and sum("Input:" in d for d in docs) > 50


def test_read_answer_takes_the_stated_answer_or_the_first_line():
    assert read_answer(" The answer is Paris.\nQ: next") == "paris"
    assert read_answer(" ice cream\nQ:") == "ice cream" and read_answer(" $$") == "$$" and read_answer("") == ""


@pytest.mark.parametrize("kind", PROBE_KINDS)
def test_every_k_a_page_offers_is_one_the_probe_takes(kind):
    assert set(default_ks(kind)) <= set(k_choices(kind))
    for k in k_choices(kind):
        (probe,) = probes(kind, k, 1)
        assert probe.prompt and probe.truth
    assert k_choices("mapping") == (1, 2, 4, 8, 12) and k_choices("labels") == (0, 1, 2, 4, 8)


def test_probes_reject_impossible_k_and_kinds():
    with pytest.raises(ValueError, match="k must be from 0 to 8"):
        label_probe(9, random.Random(0))
    with pytest.raises(ValueError, match="k must be from 1 to 12"):
        word_mapping_probe(0, random.Random(0))
    with pytest.raises(ValueError, match="probe must be one of labels"):
        probes("sums", 4, 1)
