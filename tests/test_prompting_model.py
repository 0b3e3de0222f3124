"""The bundled base model shows, on a small fixed sample, what the full evaluation finds with n = 200
(`python -m core.prompting.evaluate`, stored in `core/prompting/model/evaluation.json`). The thresholds sit
far from what the model reaches there, so a pass means the behaviour is there, not that the sample was lucky:
the examples set how it answers (answer-only examples: 100% direct replies; worked examples: 100% chains, coin
flips of 8-12 people); chain-of-thought 100% against answer-only 51% (coin flips) and 98% against 24%
(arithmetic of 3-6 steps); "Let's think step by step" 98% against plain zero-shot 20% (arithmetic of 3-6 steps: a
bare question is answered at once); answer words the corpus never uses cannot be guessed with no example (0%).
The model is the registry's: it reads every prompt after its end-of-text token (`models.load_base`)."""

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


def paired_claim(lm, task: str, before: str, after: str, n: int = N):
    problems = held_out_problems(task, n, lengths_of(task, "multi-step"))
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
    assert thinking.modes.count("c") == N and plain.modes.count("d") == N  # asked, it reasons; bare, it answers
    assert (thinking.bits.count("1"), plain.bits.count("1")) == (30, 6)  # golden: greedy decoding
    assert paired_verdict(plain.bits, thinking.bits) == "holds"


def test_held_out_answer_words_cannot_be_guessed_without_examples(lm):
    assert accuracy(probe_bits(lm, "labels", 0, N)) <= 0.1


def test_greedy_generation_golden_value(lm):
    question = "Q: A coin is heads up. Ann flips it. Bob does not flip it. Is the coin still heads up?\nA:"
    reasoned = generate(lm, question + " Let's think step by step.", 40).text
    assert reasoned == " Ann flips: tails. Bob does not: tails. So the answer is no.\n\nQ:"
    # asked bare, it answers at once (right: Ann's flip leaves the coin tails)
    assert generate(lm, question, 40).text == " The answer is no.\n\nQ:"


def test_flipped_labels_keep_what_each_reply_did(lm):
    """Golden: given flipped examples the bundled model answers "no" to all six questions, whose flipped answers
    take turns yes, no, ...: wrong and the coin's true side (p) on the "yes" ones, right (f) on the "no" ones."""
    from core.prompting.evaluate import measure

    assert measure(lm, ("flipped", "4"), 6, 4) == ("010101", "pfpfpf")
    assert measure(lm, ("labels", "4"), 6, 4)[1] == ""  # other probes keep no outcomes


def test_read_after_its_end_of_text_token_the_bundled_model_answers_bare_date_questions_at_once(lm):
    """Golden (greedy): as the registry loads it, after the token that opens every training document, the bundled
    model answers all of the first 8 held-out date questions asked bare at once; without the token it reasons on 7.
    The prompt alone reads as the middle of a document whose earlier examples might have asked for reasoning."""
    from dataclasses import replace

    from core.prompting.answers import mode
    from core.prompting.evaluate import generate_all
    from core.prompting.prompts import build_prompt

    assert lm.document_start == lm.tokenizer.eos_token == "<|endoftext|>"
    prompts = [build_prompt(p, "zero-shot") for p in held_out_problems("dates", 8, lengths_of("dates", "multi-step"))]
    without = replace(lm, document_start="")
    modes = ["".join(mode(r)[0] for r in generate_all(model, prompts, 60, chat=False)) for model in (without, lm)]
    assert modes == ["ccccccdc", "dddddddd"]
