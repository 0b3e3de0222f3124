"""The tuning lab's steps as plain functions: each checks its input, runs, and keeps what the next step needs in
the browser session's store (`core.tuning.sessions`). The Gradio app only lays these out.

1. `instruction_tuning`: SFT on chosen instruction tasks, zero-shot accuracy per task before and after.
2. `answers_to_rank` and `rank`: the policy writes k answers to a question; a ranking becomes preference pairs.
3. `feedback_tuning`: a reward model from the pairs (or from a built-in rater's rankings), then PPO or DPO.
4. `compare_methods`: the notes' table, measured.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from core.prompting.models import LanguageModel
from core.runtime import check_seed, gpu
from core.tuning.instructions import DEFAULT_TUNING_TASKS, TASKS, check_tasks, tuning_set
from core.tuning.preferences import (
    MAX_REPLIES,
    Pair,
    feedback_problems,
    pairs_from_ranking,
    prompt_of,
    rater_preferences,
)
from core.tuning.rater import RATERS, is_right
from core.tuning.sessions import STORE

if TYPE_CHECKING:  # scipy and statsmodels load with the first run, not with the page
    from core.stats import Difference
    from core.tuning.claims import Bits, FeedbackClaims

Progress = Callable[[int, int, str], None]  # (done, total, what)
START_FROM = {"tuned": "this session's instruction-tuned model", "base": "the base model"}
REWARDS = {"rankings": "A reward model of my rankings"} | {
    k: f"A reward model of the rater: {v}" for k, v in RATERS.items()
}
METHODS = ("ppo", "dpo")
FEEDBACK_PROMPTS = 16  # questions the policy is tuned on
RATER_RANKINGS = 12  # rankings the built-in rater makes (4 replies each)
COMPARE_PROMPTS = 4  # questions shown before vs after
EVAL_QUESTIONS = 6  # per task and phrasing
MAX_EVAL_QUESTIONS = 20
# PPO and DPO's default step size: at 3e-4, 10 PPO steps from the instruction-tuned model go up to 9 nats from it
# and its right answers fall from 23% to 6%; at 1e-4 it stays within 3 nats and the reward model's score rises
# (bench/tuning_figures.py).
FEEDBACK_LEARNING_RATE = 1e-4


@dataclass(frozen=True)
class TaskRow:
    task: str
    title: str
    tuned_on: bool
    held_out_phrasing: bool
    before: float
    after: float


@dataclass(frozen=True)
class TuningReport:
    rows: tuple[TaskRow, ...]
    losses: tuple[float, ...]
    seconds: float
    examples: int
    changed_fraction: float
    claims: dict[str, "Difference"] = field(default_factory=dict)  # `core.tuning.claims.zero_shot_claims`


@dataclass
class FeedbackReport:
    method: str
    reward: str
    seconds: float
    reward_model_seconds: float
    reward_model_accuracy: float  # on pairs it was not trained on
    pairs: int
    log: object  # StepLog
    claims: "FeedbackClaims"  # on held-out questions
    before_after: list[tuple[str, str, str]] = field(default_factory=list)  # (question, before, after)


def start_model(session: str | None, start_from: str, source: str | None = None) -> LanguageModel:
    from core.tuning.policy import base_model

    if start_from not in START_FROM:
        raise ValueError(f"start from must be one of {', '.join(START_FROM)}, got {start_from!r}")
    if start_from == "base":
        return base_model(source)
    return STORE.get(session, "instruction_tuned_model", "instruction tuning (step 1)")


def _right_or_wrong(lm: LanguageModel, tasks: list[str], n: int, seed: int) -> "Bits":
    from core.tuning.zero_shot import score_tasks

    return {k: tuple(g.correct for g in v.graded) for k, v in score_tasks(lm, tasks, n, seed).items()}


@functools.lru_cache(maxsize=8)
def _base_scores(source: str, tasks: tuple[str, ...], n: int, seed: int) -> dict:
    """The base model never changes, so its graded replies are computed once per process."""
    from core.tuning.policy import base_model

    return _right_or_wrong(base_model(source), list(tasks), n, seed)


@gpu(duration=120)
def instruction_tuning(
    session: str | None,
    tasks: list[str],
    examples: int = 240,
    steps: int = 60,
    learning_rate: float = 1e-3,
    lora: bool = False,
    seed: int = 0,
    questions: int = EVAL_QUESTIONS,
    source: str | None = None,
    progress: Progress | None = None,
) -> tuple[str, TuningReport]:
    """SFT on `tasks`; accuracy of every task (tuned on or not) under a tuning phrasing and a held-out one."""
    from core.tuning.claims import zero_shot_claims
    from core.tuning.policy import base_model
    from core.tuning.sft import check_training, instruction_tune

    check_training(steps, 8, learning_rate)
    seed = check_seed(seed)
    if not 1 <= int(questions) <= MAX_EVAL_QUESTIONS:
        raise ValueError(f"test questions per task must be from 1 to {MAX_EVAL_QUESTIONS}, got {questions}")
    chosen = [t.name for t in check_tasks(list(tasks))]
    data = tuning_set(chosen, int(examples), seed)
    base = base_model(source)
    before = _base_scores(source, tuple(TASKS), int(questions), 1)

    def tick(step: int, total: int) -> None:
        if progress is not None:
            progress(step, total, f"instruction tuning: step {step}/{total}")

    result = instruction_tune(base, data, int(steps), 8, float(learning_rate), bool(lora), seed, tick)
    if progress is not None:
        progress(int(steps), int(steps), "measuring zero-shot accuracy after tuning")
    after = _right_or_wrong(result.lm, list(TASKS), int(questions), 1)

    def accuracy(bits: tuple[bool, ...]) -> float:
        return sum(bits) / len(bits)

    rows = tuple(
        TaskRow(
            name, TASKS[name].title, name in chosen, held, accuracy(before[name, held]), accuracy(after[name, held])
        )
        for name in TASKS
        for held in (False, True)
    )
    key = STORE.put(session, "instruction_tuned_model", result.lm)
    STORE.put(key, "reward_model", None)  # one built on the previous tuned model (and its reports) no longer applies
    report = TuningReport(
        rows,
        tuple(result.log.series("loss")),
        result.seconds,
        len(data),
        result.changed_fraction,
        zero_shot_claims(before, after, set(chosen)),
    )
    return key, report


def answers_to_rank(
    session: str | None, start_from: str, question: int, k: int = 4, seed: int = 0
) -> tuple[str, str, list[str]]:
    """k sampled answers of the starting policy to feedback question number `question`, kept for `rank`."""
    from core.tuning.sampling import sample_replies

    if not 2 <= int(k) <= MAX_REPLIES:
        raise ValueError(f"answers per question must be from 2 to {MAX_REPLIES}, got {k}")
    if not 0 <= int(question) < 1000:
        raise ValueError(f"question number must be from 0 to 999, got {question}")
    lm = start_model(session, start_from)
    problem = feedback_problems(1, 10_000 + int(question))[0]
    replies = sample_replies(lm, prompt_of(problem), int(k), check_seed(seed)).texts
    key = STORE.put(session, "answers", (prompt_of(problem), replies))
    return key, prompt_of(problem), replies


def rank(session: str | None, ranks: list) -> tuple[str, list[Pair]]:
    """Turn a ranking of the answers last shown into pairs, added to the session's preferences; all of them."""
    prompt, replies = STORE.get(session, "answers", "'Write answers' (step 2)")
    new = pairs_from_ranking(prompt, replies, ranks)
    try:
        pairs = STORE.get(session, "preferences", "")
    except ValueError:
        pairs = []
    pairs = [*pairs, *new]
    key = STORE.put(session, "preferences", pairs)
    return key, pairs


@gpu(duration=180)
def feedback_tuning(
    session: str | None,
    method: str,
    reward: str,
    steps: int = 15,
    seed: int = 0,
    learning_rate: float = FEEDBACK_LEARNING_RATE,
    kl_coef: float = 0.1,
    start_from: str = "tuned",
    progress: Progress | None = None,
) -> tuple[str, FeedbackReport, dict[str, FeedbackReport]]:
    """Reward model from preferences, then PPO or DPO; this report, and every report of the session on the same
    preferences (for PPO and DPO side by side)."""
    from core.tuning.claims import HELD_OUT_PROMPTS, feedback_claims
    from core.tuning.dpo import dpo
    from core.tuning.ppo import PPOConfig, check_ppo, ppo
    from core.tuning.reward_model import train_reward_model
    from core.tuning.sampling import sample_replies

    if method not in METHODS:
        raise ValueError(f"method must be 'ppo' or 'dpo', got {method!r}")
    if reward not in REWARDS:
        raise ValueError(f"reward must be one of {', '.join(REWARDS)}, got {reward!r}")
    seed = check_seed(seed)
    config = check_ppo(PPOConfig(steps=int(steps), learning_rate=float(learning_rate), kl_coef=float(kl_coef)))
    start = start_model(session, start_from)

    def say(done: int, total: int, what: str) -> None:
        if progress is not None:
            progress(done, total, what)

    say(0, 1, "collecting preferences")
    if reward == "rankings":
        pairs = STORE.get(session, "preferences", "'Rank' (step 2) on at least one question")
        held_out = pairs  # a student's few rankings leave none to spare; accuracy is then on the training pairs
    else:
        pairs = rater_preferences(start, reward, RATER_RANKINGS, 4, seed)
        held_out = rater_preferences(start, reward, 6, 4, seed + 1, split="test")
    if not pairs:
        raise ValueError("the rater tied every answer, so there are no preferences: pick another reward or seed")
    cache_key = (reward, start_from, seed, tuple((p.prompt, p.chosen, p.rejected) for p in pairs))
    try:
        cached = STORE.get(session, "reward_model", "")
    except ValueError:
        cached = None
    if cached and cached[0] == cache_key:
        rm, reports = cached[1], cached[2]
    else:
        say(0, 1, f"training the reward model on {len(pairs)} pairs")
        rm_steps = min(40, 5 * -(-len(pairs) // 8))  # about five passes over the pairs, at most 40 steps
        rm, reports = train_reward_model(start, pairs, steps=rm_steps, batch_size=8, seed=seed), {}
    problems = feedback_problems(FEEDBACK_PROMPTS, seed + 7)

    def tick(step: int, total: int) -> None:
        say(step, total, f"{method.upper()}: step {step}/{total}")

    if method == "ppo":
        result = ppo(start, rm.score, problems, config, seed, tick)
    else:
        result = dpo(start, pairs, rm.score, problems, config.steps, config.batch_size, config.learning_rate,
                     config.kl_coef, seed, config.max_new_tokens, tick)  # fmt: skip
    shown = feedback_problems(COMPARE_PROMPTS, seed + 99, split="test")
    before_after = []
    for i, problem in enumerate(shown):
        before = sample_replies(start, prompt_of(problem), 1, seed + i).texts[0]
        after = sample_replies(result.lm, prompt_of(problem), 1, seed + i).texts[0]
        mark = {True: "right", False: "wrong"}
        before_after.append(
            (
                problem.question,
                f"{before} ({mark[is_right(before, problem)]})",
                f"{after} ({mark[is_right(after, problem)]})",
            )
        )
    say(1, 1, f"answering {HELD_OUT_PROMPTS} held-out questions before and after")
    claims = feedback_claims(start, result.lm, rm.score, config.max_new_tokens, seed)
    report = FeedbackReport(
        method, reward, result.seconds, rm.seconds, rm.accuracy(held_out), len(pairs), result.log, claims, before_after
    )
    reports = {**reports, method: report}
    key = STORE.put(session, "reward_model", (cache_key, rm, reports))
    STORE.put(key, "feedback_tuned_model", result.lm)
    return key, report, reports


@gpu(duration=300)
def compare_methods(
    steps: int = 40, test_questions: int = 16, seed: int = 0, progress: Callable[[float, str], None] | None = None
):
    """The notes' table, measured (`core.tuning.comparison`), within the caps of one request."""
    from core.tuning.comparison import compare
    from core.tuning.policy import base_model

    if not 2 <= int(steps) <= 60:
        raise ValueError(f"training steps must be from 2 to 60, got {steps}")
    if not 4 <= int(test_questions) <= 32:
        raise ValueError(f"test questions must be from 4 to 32, got {test_questions}")
    return compare(base_model(), steps=int(steps), n_test=int(test_questions), seed=check_seed(seed), progress=progress)


DEFAULT_TASKS = list(DEFAULT_TUNING_TASKS)
