"""Composed paraphrases: every family's trained sentences are among them, each keeps its slot's blanks, none
holds a held-out mark or belongs to two slots, every family makes its problems in them, and the corpus writes
them (a coin named inside a step, a step opened by "Then") only when asked."""

import random
import re

import pytest

from core.prompting import corpus
from core.prompting.tasks import compose, objects, sample
from core.prompting.tasks.families import FAMILIES
from core.prompting.wordings import BLANK


def test_compose_golden():
    assert compose(("", "Then "), ("{p} flips it",), (".", " again.")) == (
        "{p} flips it.",
        "{p} flips it again.",
        "Then {p} flips it.",
        "Then {p} flips it again.",
    )
    assert compose(("{p} flips ",), ("it", "the coin"), (".",), marks=("the coin.",)) == ("{p} flips it.",)
    assert objects(("flips {o}", "turns {o} over"), ("it", "the coin")) == (
        "flips it",
        "flips the coin",
        "turns it over",
        "turns the coin over",
    )


@pytest.mark.parametrize("task", FAMILIES)
def test_paraphrases_extend_the_trained_sentences_and_keep_their_blanks(task):
    family = FAMILIES[task]
    assert set(family.paraphrase_slots) == set(family.train_slots)
    for slot, trained in family.train_slots.items():
        paraphrases = family.paraphrase_slots[slot]
        assert set(trained) <= set(paraphrases)
        assert len(paraphrases) >= 5
        known = {blank for options in family.train_slots.values() for blank in BLANK.findall(options[0])}
        needed = set.intersection(*(set(BLANK.findall(t)) for t in trained))
        for sentence in paraphrases:  # the blanks every trained sentence has, and perhaps a value the problem says
            assert needed <= set(BLANK.findall(sentence)) <= known, sentence
            assert sentence[0] == "{" or sentence[0].isupper()


@pytest.mark.parametrize("task", FAMILIES)
def test_no_paraphrase_holds_a_held_out_mark_or_says_two_slots(task):
    family = FAMILIES[task]
    every = [s for options in family.paraphrase_slots.values() for s in options]
    assert not [s for s in every if any(mark in s for mark in corpus.MARKS)]
    assert len(every) == len(set(every))
    held_out = {s for wording in family.held_out.values() for s in wording.values()}
    # the held-out wordings may share a sentence with the trained ones ("A coin is heads up."), never a step's
    for slot in family.paraphrase_slots:
        if slot not in ("start", "ask", "today", "set"):
            assert not held_out & set(family.paraphrase_slots[slot])


@pytest.mark.parametrize("task", FAMILIES)
def test_every_family_makes_its_problems_in_a_paraphrased_wording(task):
    family, rng = FAMILIES[task], random.Random(3)
    for _ in range(50):
        wording = family.paraphrased_wording(rng)
        for length in family.train_lengths:
            problem = sample(family, rng, length, "train", wording)
            assert "{" not in problem.question and problem.answer


def test_the_dates_say_a_later_and_an_earlier_move_in_the_same_frame():
    """ "They delayed it by 2 days" / "They brought it forward by 2 days": only the verb tells them apart."""
    slots = FAMILIES["dates"].paraphrase_slots
    frame = re.compile(r"^They \w+ it")
    assert any(frame.match(s) for s in slots["later"]) and any(frame.match(s) for s in slots["earlier"])


def test_the_corpus_names_the_coin_inside_a_step_only_with_paraphrases():
    """Golden: the trained slots never name the coin inside a step (the bundled weights' corpus); paraphrased
    wordings do, in some documents, and open some steps with "Then"."""

    def steps_with(wordings: str, pattern: str) -> int:
        found = 0
        for seed in range(300):
            text = corpus.document(random.Random(seed), corpus.Recipe(wordings=wordings))
            found += len(re.findall(pattern, text))
        return found

    inside = r"\. (?:Then |Next, |Now |After that, |And )?[A-Z][a-z]+ [a-z ]+ (?:the|that|this) coin"
    assert steps_with("trained", inside) == 0
    assert steps_with("paraphrased", inside) > 20
    assert steps_with("trained", r"\. Then [A-Z][a-z]+ (?:flips|turns|gives)") == 0
    assert steps_with("paraphrased", r"\. Then [A-Z][a-z]+ (?:flips|turns|gives)") > 5
