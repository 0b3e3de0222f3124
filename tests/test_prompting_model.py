"""The bundled base model shows, on a small fixed sample, the claims that hold in the full evaluation
with n = 200 (`python -m core.prompting.evaluate`): the thresholds sit far below what the model reaches
there (chain-of-thought 99% and 93% against answer-only 51% and 10%), so a pass means the behaviour is
there, not that the sample was lucky. The unrelated-label mapping does not hold at n = 200; what the
model does instead (it answers with one of the offered words) is tested here."""

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


def test_unrelated_answer_words_come_from_the_prompt_but_zero_shot_stays_at_chance(lm):
    from core.prompting.answers import extract
    from core.prompting.evaluate import LABEL_REPLY_TOKENS, generate_all
    from core.prompting.in_context import probes

    items = probes("labels", 4, N)
    replies = generate_all(lm, [p.prompt for p in items], LABEL_REPLY_TOKENS, chat=False)
    offered = [p.prompt.split("\n", 1)[0].removeprefix("Answer with ").rstrip(".").split(" or ") for p in items]
    assert sum(extract(r) in words for r, words in zip(replies, offered, strict=True)) >= 0.9 * N
    assert 0.2 <= accuracy(probe_bits(lm, "labels", 0, N)) <= 0.8  # the instruction names both words, not which


def paired_claim(lm, task: str, before: str, after: str) -> tuple[str, str]:
    problems = held_out_problems(task, N, lengths_of(task, "multi-step"))
    return evaluate(lm, problems, before).bits, evaluate(lm, problems, after).bits


@pytest.mark.parametrize("task", ["coin_flip", "arithmetic"])
def test_chain_of_thought_examples_beat_answer_only_examples(lm, task):
    answer_only, chain = paired_claim(lm, task, "few-shot", "few-shot-cot")
    assert accuracy(chain) >= 0.7 and accuracy(answer_only) <= 0.7
    assert paired_accuracy_difference(as_array(answer_only), as_array(chain)).verdict == "holds"


def test_thinking_step_by_step_beats_plain_zero_shot_on_long_coin_flips(lm):
    plain, thinking = paired_claim(lm, "coin_flip", "zero-shot", "zero-shot-cot")
    assert paired_accuracy_difference(as_array(plain), as_array(thinking)).verdict == "holds"


def test_greedy_generation_golden_value(lm):
    question = "Q: A coin is heads up. Ann flips it. Bob does not flip it. Is the coin still heads up?\nA:"
    reasoned = generate(lm, question + " Let's think step by step.", 40).text
    assert reasoned == " Ann flips: tails. Bob does not: tails. So the answer is no.\nQ:"
