"""The bundled base model shows, on a small fixed sample, what the full evaluation finds with n = 200
(`python -m core.prompting.evaluate`, stored in `core/prompting/model/evaluation.json`). The thresholds sit
far from what the model reaches there, so a pass means the behaviour is there, not that the sample was lucky:
the examples set how it answers (answer-only examples: 100% direct replies; worked examples: 100% chains, coin
flips of 8-12 people); chain-of-thought 98% against answer-only 49% (coin flips) and 98% against 22%
(arithmetic of 3-6 steps); "Let's think step by step" 98% against plain zero-shot 60% (arithmetic of 3-6 steps);
answer words the corpus never uses cannot be guessed with no example (0%)."""

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


def paired_claim(lm, task: str, before: str, after: str):
    problems = held_out_problems(task, N, lengths_of(task, "multi-step"))
    return evaluate(lm, problems, before, chat=False), evaluate(lm, problems, after, chat=False)


def test_the_examples_set_the_mode_and_chain_of_thought_beats_answer_only_on_coin_flips(lm):
    answer_only, chain = paired_claim(lm, "coin_flip", "few-shot", "few-shot-cot")
    assert answer_only.modes.count("d") >= 0.9 * N and chain.modes.count("c") >= 0.9 * N
    assert accuracy(chain.bits) >= 0.8 and accuracy(answer_only.bits) <= 0.7
    assert paired_verdict(answer_only.bits, chain.bits) == "holds"


def test_chain_of_thought_beats_answer_only_on_arithmetic(lm):
    answer_only, chain = paired_claim(lm, "arithmetic", "few-shot", "few-shot-cot")
    assert accuracy(chain.bits) >= 0.8 and accuracy(answer_only.bits) <= 0.5
    assert paired_verdict(answer_only.bits, chain.bits) == "holds"


def test_lets_think_step_by_step_beats_plain_zero_shot_on_arithmetic(lm):
    plain, thinking = paired_claim(lm, "arithmetic", "zero-shot", "zero-shot-cot")
    assert thinking.modes.count("c") == N and accuracy(thinking.bits) >= 0.9 and accuracy(plain.bits) <= 0.8
    assert paired_verdict(plain.bits, thinking.bits) == "holds"


def test_held_out_answer_words_cannot_be_guessed_without_examples(lm):
    assert accuracy(probe_bits(lm, "labels", 0, N)) <= 0.1


def test_greedy_generation_golden_value(lm):
    question = "Q: A coin is heads up. Ann flips it. Bob does not flip it. Is the coin still heads up?\nA:"
    reasoned = generate(lm, question + " Let's think step by step.", 40).text
    assert reasoned == " Ann flips: tails. Bob does not: tails. So the answer is no.\n\nQ:"
    assert generate(lm, question, 40).text == " The answer is no.\n\nQ:"
