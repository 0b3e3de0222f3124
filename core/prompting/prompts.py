"""Prompt builders for the four strategies of in-context learning.

- zero-shot: the question alone; the model answers from what it has learned.
- zero-shot "Let's think step by step" (Kojima et al. 2022): one sentence asks for reasoning.
- few-shot (Brown et al. 2020): k worked examples with answers only, then the question.
- few-shot chain-of-thought (Wei et al. 2022): k examples whose answers show the reasoning steps.
"""

import random

from core.prompting.exemplars import FOR_TASK
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES

STRATEGIES = {
    "zero-shot": "Zero-shot",
    "zero-shot-cot": 'Zero-shot, "Let\'s think step by step"',
    "few-shot": "Few-shot (answers only)",
    "few-shot-cot": "Few-shot chain-of-thought",
}
THINK = "Let's think step by step."
ANSWER_ONLY = "The answer is {answer}."
CONCLUSION = "So the answer is {answer}."


def question_block(question: str) -> str:
    return f"Q: {question}\nA:"


def worked_answer(problem: Problem, chain: bool) -> str:
    if chain:
        return f"{problem.chain} {CONCLUSION.format(answer=problem.answer)}"
    return ANSWER_ONLY.format(answer=problem.answer)


def worked_example(problem: Problem, chain: bool) -> str:
    return f"{question_block(problem.question)} {worked_answer(problem, chain)}"


def notes_example(task: str, chain: bool) -> str:
    """The notes' exemplar for `task`, verbatim (chain) or cut to its final answer (answer only)."""
    exemplar = FOR_TASK[task]
    answer = exemplar.answer if chain else ANSWER_ONLY.format(answer=exemplar.final)
    return f"{question_block(exemplar.question)} {answer}"


def exemplar_problems(task: str, k: int, seed: int) -> list[Problem]:
    """k training-side problems of the family's shortest trained lengths, drawn from `seed`."""
    family = FAMILIES[task]
    rng = random.Random(seed)
    short = family.train_lengths[:2]
    return [sample(family, rng, rng.choice(short), "train") for _ in range(k)]


def build_prompt(problem: Problem, strategy: str, k: int = 2, source: str = "generated", seed: int = 0) -> str:
    """The prompt for `problem` under `strategy`, with k exemplars from the notes or generated ones."""
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown strategy {strategy!r}: choose one of {', '.join(STRATEGIES)}")
    if source not in ("generated", "notes"):
        raise ValueError(f"exemplar source must be 'generated' or 'notes', got {source!r}")
    if strategy == "zero-shot":
        return question_block(problem.question)
    if strategy == "zero-shot-cot":
        return f"{question_block(problem.question)} {THINK}"
    if not 1 <= k <= 8:
        raise ValueError(f"k must be from 1 to 8 worked examples, got {k}")
    chain = strategy == "few-shot-cot"
    examples = [worked_example(p, chain) for p in exemplar_problems(problem.task, k, seed)]
    if source == "notes":
        examples[0] = notes_example(problem.task, chain)
    return "\n\n".join([*examples, question_block(problem.question)])
