"""The bundled base model shows, on a small fixed sample, the lecture's claims that the full evaluation
measures with n = 200 (`python -m core.prompting.evaluate`): the thresholds sit far below what the
model reaches there, so a pass means the behaviour is there, not that the sample was lucky."""

import pytest

from core.prompting.claims import as_array
from core.prompting.evaluate import evaluate, held_out_problems, lengths_of, probe_bits
from core.prompting.generate import generate
from core.prompting.models import NAME
from core.runtime import get_model
from core.stats import paired_accuracy_difference

N = 40


@pytest.fixture(scope="module")
def lm(one_torch_thread):
    return get_model(NAME)


def accuracy(bits: str) -> float:
    return bits.count("1") / len(bits)


def test_unrelated_answer_words_are_learned_from_the_examples(lm):
    zero, four = probe_bits(lm, "labels", 0, N), probe_bits(lm, "labels", 4, N)
    assert 0.2 <= accuracy(zero) <= 0.8  # zero-shot: the instruction names both words, not which is which
    assert paired_accuracy_difference(as_array(zero), as_array(four)).verdict == "holds"


def test_a_word_mapping_only_the_prompt_defines_beats_guessing(lm):
    assert accuracy(probe_bits(lm, "mapping", 4, N)) > 0.25 + 0.25


def test_chain_of_thought_beats_answer_only_on_long_coin_flips(lm):
    problems = held_out_problems("coin_flip", N, lengths_of("coin_flip", "multi-step"))
    answer_only = evaluate(lm, problems, "few-shot").bits
    chain = evaluate(lm, problems, "few-shot-cot").bits
    assert accuracy(chain) >= 0.8
    assert paired_accuracy_difference(as_array(answer_only), as_array(chain)).verdict == "holds"


def test_greedy_generation_golden_value(lm):
    question = "Q: A coin is heads up. Ann flips it. Bob does not flip it. Is the coin still heads up?\nA:"
    reasoned = generate(lm, question + " Let's think step by step.", 40).text
    assert reasoned == " Ann flips: tails. Bob does not: tails. So the answer is no.\nQ:"
