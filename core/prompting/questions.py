"""One question of the lab: a task family, a length and a question number pick a test problem, which a strategy
turns into a prompt (zero-shot, few-shot, chain-of-thought: Wei et al. 2022)."""

import random

from core.prompting.prompts import build_prompt
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES
from core.runtime.seeding import MAX_SEED
from core.runtime.validate import choice, whole_number

MAX_LENGTH = max(max(f.longer_lengths) for f in FAMILIES.values())
TASK_CHOICES = [(f.title, f.name) for f in FAMILIES.values()]


def problem_for(task: str, length: int, question_seed: int) -> Problem:
    family = FAMILIES[choice(task, "task", FAMILIES)]
    length = whole_number(length, "problem length", 1, MAX_LENGTH)
    question = whole_number(question_seed, "question number", 0, MAX_SEED)
    return sample(family, random.Random(question), length, "test")


def describe_problem(task: str, length: int, question_seed: int) -> str:
    """The question, whether its length was trained on, and its ground truth."""
    problem = problem_for(task, length, question_seed)
    family = FAMILIES[task]
    trained = "a trained length" if problem.length in family.train_lengths else "**longer than any trained one**"
    return (
        f"**Question** ({problem.length} {family.length_unit}, {trained}): {problem.question}\n\n"
        f"**Ground truth:** `{problem.answer}`"
    )


def prompt_for(task: str, length: int, question_seed: int, strategy: str, k: int, exemplar_source: str) -> str:
    return build_prompt(problem_for(task, length, question_seed), strategy, k, exemplar_source)
