"""The generated task families: each answer checked by an independent route, the held-out split,
and the prompts built from the notes' exemplars."""

import datetime as dt
import random
import re
from pathlib import Path

import pytest

from core.prompting.corpus import coin_item, qa_document
from core.prompting.exemplars import EXEMPLARS, FOR_TASK
from core.prompting.prompts import STRATEGIES, build_prompt
from core.prompting.tasks import is_test_question, sample
from core.prompting.tasks.families import FAMILIES

NOTES = Path(__file__).resolve().parents[2] / "shared" / "course-notes" / "000_8b8fad5570cfa52a.txt"


def problems(task: str, n: int = 200):
    family = FAMILIES[task]
    rng = random.Random(7)
    lengths = family.train_lengths + family.longer_lengths
    return [sample(family, rng, lengths[i % len(lengths)], "train") for i in range(n)]


def test_coin_flip_answer_is_the_parity_of_the_flips():
    for p in problems("coin_flip"):
        flips = p.question.count(" flips it.")
        assert p.answer == ("yes" if flips % 2 == 0 else "no")
        assert p.length == flips + p.question.count(" does not flip it.")


def test_last_letter_answer_joins_the_last_letters_of_the_quoted_words():
    for p in problems("last_letter"):
        words = re.search(r'"(.+)"', p.question).group(1).split()
        assert p.answer == "".join(w[-1] for w in words)
        assert len(words) == p.length


def test_arithmetic_answer_replays_the_story():
    for p in problems("arithmetic"):
        total = int(re.search(r"has (\d+) ", p.question).group(1))
        for verb, a, b in re.findall(r"(gets|gives away|buys) (\d+)(?: \w+ of (\d+))?", p.question):
            total += {"gets": int(a), "gives away": -int(a), "buys": int(a) * int(b or 0)}[verb]
        assert total >= 0 and p.answer == str(total)


def test_dates_answer_matches_calendar_arithmetic():
    for p in problems("dates"):
        start = dt.datetime.strptime(re.search(r"\d\d/\d\d/\d{4}", p.question).group(0), "%m/%d/%Y").date()
        days = sum(int(d) for d in re.findall(r"delayed by (\d+) day", p.question))
        days -= sum(int(d) for d in re.findall(r"moved (\d+) days? earlier", p.question))
        ask = re.search(r"date (\d+) days? (ago|from today)", p.question)
        days += int(ask.group(1)) * (-1 if ask.group(2) == "ago" else 1)
        assert p.answer == (start + dt.timedelta(days=days)).strftime("%m/%d/%Y")


def test_chains_end_at_the_answer():
    for task in FAMILIES:
        for p in problems(task, 20):
            assert p.answer in p.steps[-1] or task == "coin_flip"


def test_test_questions_never_reach_the_training_corpus():
    rng = random.Random(3)
    train = [sample(FAMILIES["coin_flip"], rng, 2, "train") for _ in range(300)]
    test = [sample(FAMILIES["coin_flip"], rng, 2, "test") for _ in range(30)]
    assert not any(is_test_question(p.question) for p in train)
    assert all(is_test_question(p.question) for p in test)
    corpus = "\n".join(qa_document(random.Random(s)) for s in range(400))
    notes = {e.question for e in FOR_TASK.values()}  # the notes' exemplars are prompts, never test questions
    found = re.findall(r"(?:Q|Question|Input): (.+?)\n(?:A|Answer|Output):", corpus)
    questions = [q for q in found if q not in notes]
    assert len(questions) > 300 and not any(is_test_question(q) for q in questions)
    coins = [coin_item(random.Random(s))[0] for s in range(300)]  # the label documents' coin flips
    assert not any(is_test_question(q) for q in coins)


def test_training_lengths_stop_below_the_longer_test_lengths():
    for family in FAMILIES.values():
        assert max(family.train_lengths) < min(family.longer_lengths)


@pytest.mark.parametrize("strategy", list(STRATEGIES))
def test_prompt_ends_with_the_question_and_shows_k_examples(strategy):
    problem = sample(FAMILIES["arithmetic"], random.Random(0), 2, "test")
    prompt = build_prompt(problem, strategy, k=3)
    lead = {"zero-shot-cot": " Let's think step by step."}.get(strategy, "")  # nothing forces an answer-only reply
    assert prompt.endswith(f"Q: {problem.question}\nA:{lead}")
    shots = prompt.count("Q: ") - 1
    assert shots == (3 if strategy.startswith("few-shot") else 0)
    assert prompt.count("So the answer is") == (3 if strategy == "few-shot-cot" else 0)


def test_notes_source_opens_with_the_notes_exemplar():
    problem = sample(FAMILIES["coin_flip"], random.Random(0), 2, "test")
    prompt = build_prompt(problem, "few-shot-cot", k=2, source="notes")
    assert prompt.startswith(f"Q: {FOR_TASK['coin_flip'].question}\nA: {FOR_TASK['coin_flip'].answer}")
    with pytest.raises(ValueError, match="k must be a whole number from 1 to 8, got 0"):
        build_prompt(problem, "few-shot", k=0)
    with pytest.raises(ValueError, match="k must be a whole number from 1 to 8, got nan"):
        build_prompt(problem, "few-shot", k=float("nan"))


@pytest.mark.skipif(not NOTES.exists(), reason="the course notes are not next to this checkout")
def test_exemplars_are_verbatim_from_the_notes():
    notes = NOTES.read_text()
    for exemplar in EXEMPLARS:
        for part in (exemplar.question, exemplar.answer):
            for line in part.split("\n"):
                assert line.strip() in notes, (exemplar.family, line)
