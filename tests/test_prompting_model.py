"""The bundled base model shows, on a small fixed sample, what the full evaluation finds with n = 200
(`python -m core.prompting.evaluate`, stored in `core/prompting/model/evaluation.json`). The thresholds sit
far from what the model reaches there, so a pass means the behaviour is there, not that the sample was
lucky: unrelated answer words 48% with no example and 100% with 4; the word mapping 100% in the roster
layout and 0% in a layout never seen; chain-of-thought 100% against answer-only 44% (coin flips of 8-12
people) and 8% (arithmetic of 3-6 steps); plain zero-shot already reasons, 100% on both."""

import pytest

from core.prompting.claims import as_array
from core.prompting.evaluate import evaluate, held_out_problems, lengths_of, probe_bits
from core.prompting.generate import generate
from core.prompting.models import NAME
from core.runtime import get_model
from core.stats import paired_accuracy_difference

N = 30


@pytest.fixture(scope="module")
def lm(one_torch_thread):
    return get_model(NAME)


def accuracy(bits: str) -> float:
    return bits.count("1") / len(bits)


def paired_verdict(before: str, after: str) -> str:
    return paired_accuracy_difference(as_array(before), as_array(after)).verdict


def test_unrelated_answer_words_are_read_from_the_examples_and_zero_shot_stays_at_chance(lm):
    zero, four = probe_bits(lm, "labels", 0, N), probe_bits(lm, "labels", 4, N)
    assert 0.2 <= accuracy(zero) <= 0.8  # the instruction names both words, not which is which
    assert accuracy(four) >= 0.9
    assert paired_verdict(zero, four) == "holds"


def test_a_fresh_word_mapping_is_copied_in_the_roster_layout_but_not_in_a_new_one(lm):
    assert accuracy(probe_bits(lm, "mapping", 4, N)) >= 0.9
    assert accuracy(probe_bits(lm, "mapping-new-layout", 4, N)) <= 0.5


def paired_claim(lm, task: str, before: str, after: str):
    problems = held_out_problems(task, N, lengths_of(task, "multi-step"))
    return evaluate(lm, problems, before), evaluate(lm, problems, after)


@pytest.mark.parametrize("task", ["coin_flip", "arithmetic"])
def test_chain_of_thought_examples_beat_answer_only_examples(lm, task):
    answer_only, chain = paired_claim(lm, task, "few-shot", "few-shot-cot")
    assert accuracy(chain.bits) >= 0.8 and accuracy(answer_only.bits) <= 0.7
    assert paired_verdict(answer_only.bits, chain.bits) == "holds"


def test_plain_zero_shot_already_reasons_on_long_problems(lm):
    plain, thinking = paired_claim(lm, "coin_flip", "zero-shot", "zero-shot-cot")
    assert sum("So the answer is" in item.generation for item in plain.items) >= 0.8 * N
    assert accuracy(plain.bits) >= 0.8 and accuracy(thinking.bits) >= 0.8


def test_greedy_generation_golden_value(lm):
    question = "Q: A coin is heads up. Ann flips it. Bob does not flip it. Is the coin still heads up?\nA:"
    reasoned = generate(lm, question + " Let's think step by step.", 40).text
    assert reasoned == " Ann flips: tails. Bob does not: tails. So the answer is no.\nQ:"
    assert generate(lm, question, 40).text == " The answer is no.\n\nQ:"
