"""Prompt builders for the four strategies of in-context learning.

- zero-shot: the question alone; the model answers from what it has learned.
- zero-shot "Let's think step by step" (Kojima et al. 2022): one sentence asks for reasoning.
- few-shot (Brown et al. 2020): k worked examples with answers only, then the question.
- few-shot chain-of-thought (Wei et al. 2022): k examples whose answers show the reasoning steps.

Every item is written in a `Format`: its layout (`Q:`/`A:`, ...), whether the answer shows its chain,
whether a direct answer is bare or "The answer is X.", and the words that stand for the answer
(for coin flips: yes/no, or two unrelated words).
"""

import random
from dataclasses import dataclass, field, replace

from core.prompting.answers import LEAD
from core.prompting.exemplars import FOR_TASK
from core.prompting.layouts import NOTES, Layout
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES
from core.runtime.validate import choice, whole_number

STRATEGIES = {
    "zero-shot": "Zero-shot",
    "zero-shot-cot": 'Zero-shot, "Let\'s think step by step"',
    "few-shot": "Few-shot (answers only)",
    "few-shot-cot": "Few-shot chain-of-thought",
}
EXEMPLAR_SOURCES = ("generated", "notes")  # the prompt's worked examples: all generated, or the notes' first
THINK = "Let's think step by step."
ANSWER_ONLY = LEAD + " {answer}."
CONCLUSION = "So the answer is {answer}."
MAX_K = 8


@dataclass(frozen=True)
class Format:
    layout: Layout = NOTES  # what surrounds the question and the answer
    chain: bool = False  # the answer shows its reasoning steps
    think: bool = False  # a reasoning answer opens with "Let's think step by step."
    words: dict[str, str] = field(default_factory=dict)  # true answer -> the word written for it
    bare: bool = False  # a direct answer is the answer alone, not "The answer is X."
    quoted: bool = False  # each reasoning step opens with the sentence it reads (`Problem.quoted_chain`)

    def with_answer_words(self, yes: str, no: str) -> "Format":
        return replace(self, words={"yes": yes, "no": no})

    def written(self, answer: str) -> str:
        return self.words.get(answer, answer)

    @property
    def is_notes_format(self) -> bool:
        return self.layout == NOTES and not self.words


def question_block(question: str, fmt: Format = Format()) -> str:
    return fmt.layout.block(question)


def worked_answer(problem: Problem, fmt: Format) -> str:
    answer = fmt.written(problem.answer)
    if fmt.chain:
        opening = f"{THINK} " if fmt.think else ""
        chain = problem.quoted_chain if fmt.quoted else problem.chain
        return f"{opening}{chain} {CONCLUSION.format(answer=answer)}"
    return answer if fmt.bare else ANSWER_ONLY.format(answer=answer)


def worked_example(problem: Problem, fmt: Format) -> str:
    return f"{question_block(problem.question, fmt)} {worked_answer(problem, fmt)}"


def notes_example(task: str, chain: bool) -> str:
    """The notes' exemplar for `task`, verbatim (chain) or cut to its final answer (answer only)."""
    exemplar = FOR_TASK[task]
    answer = exemplar.answer if chain else ANSWER_ONLY.format(answer=exemplar.final)
    return f"{question_block(exemplar.question)} {answer}"


def exemplar_problems(task: str, k: int, seed: int, wording: dict[str, str] | None = None) -> list[Problem]:
    """k training-side problems of the family's trained lengths, drawn from `seed`, in `wording`."""
    family = FAMILIES[task]
    rng = random.Random(seed)
    return [sample(family, rng, rng.choice(family.train_lengths), "train", wording) for _ in range(k)]


def check_k(k) -> int:
    return whole_number(k, "k", 1, MAX_K, hint="the number of worked examples in the prompt")


def build_prompt(
    problem: Problem,
    strategy: str,
    k: int = 4,
    source: str = "generated",
    seed: int = 0,
    wording: dict[str, str] | None = None,
    quoted: bool = False,
) -> str:
    """The prompt for `problem` under `strategy`, with k exemplars from the notes or generated ones (in
    `wording`, the question's own; with `quoted`, worked examples whose steps open with the sentence they read).
    Every prompt ends at the answer slot: nothing forces how the model answers, so the examples alone say whether
    to reason first."""
    strategy, source = choice(strategy, "strategy", STRATEGIES), choice(source, "exemplar source", EXEMPLAR_SOURCES)
    if strategy == "zero-shot":
        return question_block(problem.question)
    if strategy == "zero-shot-cot":
        return f"{question_block(problem.question)} {THINK}"
    fmt = Format(chain=strategy == "few-shot-cot", quoted=quoted)
    examples = [worked_example(p, fmt) for p in exemplar_problems(problem.task, check_k(k), seed, wording)]
    if source == "notes":
        examples[0] = notes_example(problem.task, fmt.chain)
    return "\n\n".join([*examples, question_block(problem.question)])
