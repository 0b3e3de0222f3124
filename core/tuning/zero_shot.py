"""Zero-shot accuracy per instruction task: greedy replies to held-out questions, graded by the task's rule.

Each task is asked under a phrasing used in tuning and under its held-out phrasing, so a table can show what
FLAN measured: whether tuning on some instructions helps tasks and phrasings that were not tuned on.
"""

from dataclasses import dataclass

from core.prompting.grading import share_right
from core.prompting.models import LanguageModel
from core.runtime.limits import Deadline
from core.tuning.instructions import TASKS, Example, question_set

MAX_QUESTIONS = 50
REPLY_TOKENS = {"step_by_step": 160, "toy_french": 60, "reverse": 60}  # new tokens per reply; others 24
DEFAULT_REPLY_TOKENS = 24


@dataclass(frozen=True)
class Graded:
    example: Example
    reply: str
    correct: bool


@dataclass(frozen=True)
class TaskScore:
    """One task's replies under a tuning phrasing or its held-out one, each graded by the task's rule."""

    task: str
    held_out_phrasing: bool
    graded: tuple[Graded, ...]

    @property
    def accuracy(self) -> float:
        return share_right(g.correct for g in self.graded)


def replies(lm: LanguageModel, prompts: list[str], max_new_tokens: int) -> list[str]:
    """Greedy replies, 16 prompts a batch, each cut at the model's next "Q:" (the prompting lab's evaluation loop)."""
    from core.prompting.evaluate import generate_all

    return generate_all(lm, prompts, max_new_tokens, chat=False, batch_size=16)


def score_task(lm: LanguageModel, task: str, n: int, held_out_phrasing: bool, seed: int = 1) -> TaskScore:
    if not 1 <= int(n) <= MAX_QUESTIONS:
        raise ValueError(f"questions per task must be from 1 to {MAX_QUESTIONS}, got {n}")
    examples = question_set(task, int(n), held_out_phrasing, seed)
    instruction = TASKS[task].instruction
    tokens = REPLY_TOKENS.get(instruction.name, DEFAULT_REPLY_TOKENS)
    graded = [
        Graded(e, r, instruction.follows(r, e.problem))
        for e, r in zip(examples, replies(lm, [e.prompt for e in examples], tokens), strict=True)
    ]
    return TaskScore(task, held_out_phrasing, tuple(graded))


def score_tasks(
    lm: LanguageModel, tasks: list[str], n: int, seed: int = 1, deadline: Deadline | None = None
) -> dict[tuple[str, bool], TaskScore]:
    """Scores of every task under a tuning phrasing (False) and its held-out phrasing (True); `deadline` is checked
    before each."""
    scores = {}
    for task in tasks:
        for held_out in (False, True):
            if deadline is not None:
                deadline.check()
            scores[task, held_out] = score_task(lm, task, n, held_out, seed)
    return scores
