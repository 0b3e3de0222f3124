"""What a tuning run lets a student claim: each effect measured on held-out questions, the same questions before
and after tuning, as a paired difference with its 95% interval, n and a verdict (`core.stats`).

- Instruction tuning (FLAN's claim): zero-shot accuracy on phrasings never tuned on, and on tasks never tuned on,
  pooled over the tasks of each kind.
- Feedback tuning: right answers (the gold standard) and the reward model's score, on distinct held-out feedback
  questions answered greedily by the starting model and by the tuned one.
"""

import random
from dataclasses import dataclass

from core.prompting.models import LanguageModel
from core.prompting.tasks import Problem
from core.stats import Difference, format_claim, paired_accuracy_difference, paired_seed_difference
from core.tuning.preferences import feedback_question, prompt_of
from core.tuning.rater import is_right

HELD_OUT_PROMPTS = 48  # the tab's feedback questions from the test split: never tuned on, never ranked
MAX_HELD_OUT = 400  # the most an offline run asks (bench/tuning_figures.py asks 150)
HELD_OUT_SEED_OFFSET = 500  # their seed is the run's seed plus this, apart from the tuning questions' seeds

Bits = dict[tuple[str, bool], tuple[bool, ...]]  # (task, held-out phrasing) -> right or wrong, per question


def zero_shot_claims(before: Bits, after: Bits, tuned_on: set[str]) -> dict[str, Difference]:
    """After - before, pooled: held-out phrasings of the tasks tuned on, and every phrasing of the tasks not
    tuned on (absent when every task was tuned on)."""
    groups = {
        "held-out phrasings of tuned tasks": [k for k in before if k[0] in tuned_on and k[1]],
        "tasks never tuned on": [k for k in before if k[0] not in tuned_on],
    }
    return {
        name: paired_accuracy_difference(
            [bit for k in keys for bit in before[k]], [bit for k in keys for bit in after[k]]
        )
        for name, keys in groups.items()
        if keys
    }


@dataclass(frozen=True)
class FeedbackClaims:
    right: Difference  # share of right answers, tuned - start
    reward: Difference  # mean reward-model score, tuned - start
    length: tuple[float, float]  # mean reply length in characters, start and tuned


def held_out_questions(seed: int, n: int = HELD_OUT_PROMPTS) -> list[Problem]:
    """n distinct test questions, the feedback families taking turns (a repeat would count one question twice)."""
    if not 1 <= n <= MAX_HELD_OUT:
        raise ValueError(f"held-out questions must be from 1 to {MAX_HELD_OUT}, got {n}")
    rng = random.Random(seed + HELD_OUT_SEED_OFFSET)
    distinct: dict[str, Problem] = {}
    while len(distinct) < n:
        problem = feedback_question(len(distinct), rng, "test")
        distinct.setdefault(problem.question, problem)
    return list(distinct.values())


def greedy_replies(lm: LanguageModel, prompts: list[str], max_new_tokens: int) -> list[str]:
    """Greedy replies, batched, each cut before its first newline as the tuning's sampled replies end
    (`core.tuning.sampling`), so the reward model reads the format it was trained on."""
    from core.tuning.zero_shot import replies

    return [reply.split("\n", 1)[0] for reply in replies(lm, prompts, max_new_tokens)]


def mean_length(replies: list[str]) -> float:
    return sum(len(r) for r in replies) / len(replies)


def feedback_claims(
    start: LanguageModel, tuned: LanguageModel, score, max_new_tokens: int, seed: int, n: int = HELD_OUT_PROMPTS
) -> FeedbackClaims:
    """Both models' greedy replies to n held-out questions; `score(prompts, replies)` (N,) is the reward model the
    policy was tuned against."""
    problems = held_out_questions(seed, n)
    prompts = [prompt_of(p) for p in problems]
    before, after = greedy_replies(start, prompts, max_new_tokens), greedy_replies(tuned, prompts, max_new_tokens)
    reward_before, reward_after = score(prompts, before).numpy(), score(prompts, after).numpy()
    return FeedbackClaims(
        paired_accuracy_difference([is_right(r, p) for r, p in zip(before, problems, strict=True)],
                                   [is_right(r, p) for r, p in zip(after, problems, strict=True)]),
        paired_seed_difference(reward_before, reward_after),
        (mean_length(before), mean_length(after)),
    )  # fmt: skip


def percent_points(claim: Difference, what: str, n_label: str = "questions") -> str:
    """'what: 12% -> 48%, +36.0 pp [..], n = .., p = ..: verdict'."""
    claimed = format_claim(claim, "{:+.1f}", 100, " pp", n_label)
    return f"{what}: {claim.a_mean:.0%} -> {claim.b_mean:.0%}, {claimed}"


def score_change(claim: Difference, what: str, n_label: str = "questions") -> str:
    """'what: -0.80 -> 1.20, +2.00 [..], n = .., p = ..: verdict'."""
    before, after = (round(x, 2) + 0.0 for x in (claim.a_mean, claim.b_mean))  # + 0.0: no "-0.00"
    return f"{what}: {before:.2f} -> {after:.2f}, {format_claim(claim, '{:+.2f}', 1, '', n_label)}"


def feedback_reading(claims: FeedbackClaims) -> str:
    """What the held-out claims show together: reward hacking (the reward model's score up, right answers down,
    replies kept), collapse (the same, but the replies shrank to a few characters), or neither."""
    score_up = claims.reward.low > 0
    right_down = claims.right.high < 0
    before, after = claims.length
    if not right_down:
        return "Not reward hacking: right answers on held-out questions did not clearly fall."
    if not score_up:
        return (
            "Right answers fell, but the reward model's score did not clearly rise: the policy got worse without "
            "gaining on the proxy (a smaller learning rate keeps it nearer its start)."
        )
    if after < before / 2:
        return (
            f"Collapse rather than rambling: the reward model's score rose while right answers fell, but the replies "
            f"shrank from {before:.0f} to {after:.0f} characters. The policy drifted far from its start onto a few "
            "short replies the learned reward model happens to score high, which the rater it learned from would not."
        )
    return (
        f"Reward hacking: the reward model's score (the proxy) rose while right answers (the gold standard) fell, "
        f"with replies of {before:.0f} -> {after:.0f} characters: the policy learned what the proxy scores high, "
        "not what the rater meant."
    )
