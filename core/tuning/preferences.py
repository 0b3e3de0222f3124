"""From rankings to preference pairs: the notes' "outputs of one prompt are ranked".

A ranking of k replies (1 = best; equal numbers are ties) gives one pair (chosen, rejected) for every two replies
of different rank, as InstructGPT (Ouyang et al. 2022) turns k ranked outputs into up to k(k-1)/2 comparisons.
"""

import random
from dataclasses import dataclass

from core.prompting.models import LanguageModel
from core.prompting.tasks import Problem
from core.runtime.limits import Deadline
from core.runtime.validate import shown, whole_number
from core.tuning.models import base_question
from core.tuning.rater import rate

FEEDBACK_FAMILIES = ("coin_flip", "last_letter")  # the questions the base model can answer
MAX_PROMPTS = 64
MAX_REPLIES = 8


@dataclass(frozen=True)
class Pair:
    prompt: str
    chosen: str
    rejected: str


def feedback_question(i: int, rng: random.Random, split: str) -> Problem:
    """Feedback question number i of a draw: the families take turns, at the shortest two of the lab's lengths."""
    return base_question(FEEDBACK_FAMILIES[i % len(FEEDBACK_FAMILIES)], rng, split, shortest=2)


def feedback_problems(n: int, seed: int, split: str = "train") -> list[Problem]:
    """n questions for feedback tuning, the families taking turns."""
    if not 1 <= int(n) <= MAX_PROMPTS:
        raise ValueError(f"the number of prompts must be from 1 to {MAX_PROMPTS}, got {n}")
    rng = random.Random(seed)
    return [feedback_question(i, rng, split) for i in range(int(n))]


def prompt_of(problem: Problem) -> str:
    return f"Q: {problem.question}\nA:"


def check_ranking(ranks: list, k: int) -> list[int]:
    """The ranks as whole numbers from 1 to k, or a ValueError that says what to fix."""
    if ranks is None or (isinstance(ranks, list | tuple) and all(r is None or r == "" for r in ranks)):
        raise ValueError("the ranking is empty: give each answer a rank, 1 for the best")
    if not isinstance(ranks, list | tuple):
        raise ValueError(f"the ranking must be a list of {k} ranks, 1 for the best, got {shown(ranks)}")
    if len(ranks) != k:
        raise ValueError(f"rank all {k} answers (got {len(ranks)} ranks)")
    values = [
        whole_number(r, f"the rank of answer {i}", 1, k, hint=f"1 for the best, {k} for the worst")
        for i, r in enumerate(ranks, start=1)
    ]
    if len(set(values)) == 1:
        raise ValueError("all answers share one rank (ties only), so there is no preference to learn: rank them apart")
    return values


def pairs_from_ranking(prompt: str, replies: list[str], ranks: list) -> list[Pair]:
    """Every (better, worse) pair of a ranking; tied replies make no pair."""
    values = check_ranking(ranks, len(replies))
    return [
        Pair(prompt, replies[i], replies[j])
        for i in range(len(replies))
        for j in range(len(replies))
        if values[i] < values[j]
    ]


def preference_dataset(pairs: list[Pair]):
    """`pairs` as the (prompt, chosen, rejected) rows that TRL's reward-model and DPO trainers read."""
    from datasets import Dataset

    if not pairs:
        raise ValueError("no preference pairs: rank at least two answers differently")
    return Dataset.from_list([{"prompt": p.prompt, "chosen": p.chosen, "rejected": p.rejected} for p in pairs])


def rater_ranking(rater: str, replies: list[str], problem: Problem) -> list[int]:
    """Ranks from a built-in rater: 1 for the best score; equal scores tie."""
    scores = [rate(rater, r, problem) for r in replies]
    distinct = sorted(set(scores), reverse=True)
    return [distinct.index(s) + 1 for s in scores]


def rater_preferences(
    lm: LanguageModel,
    rater: str,
    n_prompts: int,
    k: int,
    seed: int,
    split: str = "train",
    deadline: Deadline | None = None,
) -> list[Pair]:
    """Pairs from k sampled replies to each of n_prompts questions, ranked by a built-in rater; `deadline` is
    checked before each question."""
    from core.tuning.sampling import sample_replies

    if not 2 <= int(k) <= MAX_REPLIES:
        raise ValueError(f"replies per prompt must be from 2 to {MAX_REPLIES}, got {k}")
    pairs = []
    for i, problem in enumerate(feedback_problems(n_prompts, seed, split)):
        if deadline is not None:
            deadline.check()
        replies = sample_replies(lm, prompt_of(problem), int(k), seed + i).texts
        ranks = rater_ranking(rater, replies, problem)
        if len(set(ranks)) > 1:
            pairs += pairs_from_ranking(prompt_of(problem), replies, ranks)
    return pairs
