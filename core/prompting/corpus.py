"""The synthetic training corpus: generated questions with ground truth, in the formats a prompt uses.

Each document is one of: a zero-shot item with answer only (sometimes after an instruction line);
a zero-shot "Let's think step by step" item with its chain; or k worked examples, answers only or
with chains, then a question answered the same way. Test questions are never drawn (hash split).
"""

import random

from core.prompting.prompts import THINK, notes_example, worked_answer, worked_example
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES

INSTRUCTIONS = {
    "coin_flip": "Answer yes or no.",
    "last_letter": "Answer with the letters only.",
    "arithmetic": "Answer with a number.",
    "dates": "Answer with a date in MM/DD/YYYY.",
}
GENERIC_INSTRUCTION = "Answer the question."
KINDS = (("zero-shot", 0.25), ("zero-shot-cot", 0.25), ("few-shot", 0.2), ("few-shot-cot", 0.3))
MAX_K = 3
NOTES_SHARE = 0.1  # share of few-shot documents that open with the notes' exemplar


def document(rng: random.Random) -> str:
    """One training document of a random task, length and format."""
    task = rng.choice(list(FAMILIES))
    family = FAMILIES[task]
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]

    def draw():
        return sample(family, rng, rng.choice(family.train_lengths), "train")

    problem = draw()
    if kind == "zero-shot":
        instruction = rng.choice(("", GENERIC_INSTRUCTION + "\n", INSTRUCTIONS[task] + "\n"))
        return instruction + worked_example(problem, chain=False)
    if kind == "zero-shot-cot":
        return f"Q: {problem.question}\nA: {THINK} {worked_answer(problem, chain=True)}"
    chain = kind == "few-shot-cot"
    examples = [worked_example(draw(), chain) for _ in range(rng.randint(1, MAX_K))]
    if rng.random() < NOTES_SHARE:
        examples[0] = notes_example(task, chain)
    return "\n\n".join([*examples, worked_example(problem, chain)])


def token_stream(rng: random.Random, encode, eos_id: int, n_tokens: int) -> list[int]:
    """Documents separated by the end-of-text token, until at least `n_tokens` tokens."""
    ids: list[int] = []
    while len(ids) < n_tokens:
        ids += encode(document(rng)) + [eos_id]
    return ids
