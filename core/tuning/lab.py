"""The tuning lab's steps as plain functions: each checks its input, runs, and keeps what the next step needs in
the browser session's store (`core.tuning.sessions`). The Gradio app only lays these out.

1. `instruction_tuning`: SFT on chosen instruction tasks, zero-shot accuracy per task before and after.
2. `answers_to_rank` and `rank`: the policy writes k answers to a question; a ranking becomes preference pairs.
3. `feedback_tuning`: a reward model from the pairs (or from a built-in rater's rankings), then PPO or DPO.
4. `compare_methods`: the notes' table, measured.
5. `tuned_weights_files` and `restore_weights`: the session's tuned models as files to keep, and back.

Each long step runs under a `Deadline`: it stops at the server's time limit, or as soon as its visitor has left,
and keeps nothing in the store unless it finished.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from core.prompting.models import LanguageModel
from core.runtime import check_seed, gpu
from core.runtime.limits import Deadline
from core.runtime.training import Training
from core.runtime.validate import choice, shown, whole_number
from core.tuning.instructions import DEFAULT_TUNING_TASKS, MAX_EXAMPLES, TASKS, check_tasks, tuning_set
from core.tuning.preferences import (
    MAX_REPLIES,
    Pair,
    feedback_problems,
    pairs_from_ranking,
    prompt_of,
    rater_preferences,
)
from core.tuning.rater import RATERS, is_right
from core.tuning.sessions import MODELS, STORE

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
MAX_EVAL_QUESTIONS = 25  # 22 per task and phrasing give the multi-seed figures >= 150 questions a claim
MAX_QUESTION = 999  # feedback question numbers a student can ask for: 0 to 999
STEP_1 = "instruction tuning (step 1)"
# PPO and DPO's default step size. At 1e-4, PPO from the instruction-tuned model runs much further from its start
# than at 3e-5, and its right answers fall at more seeds; the README gives both over 5 seeds (bench/tuning_figures.py,
# core/tuning/seed_figures.json).
FEEDBACK_LEARNING_RATE = 3e-5
# Instruction tuning's default step size. The base model was pre-trained at a peak of 1e-3; 60 SFT steps at 1e-3
# (seed 0) followed held-out phrasings 41% of the time and left its own zero-shot answers to last-letter questions
# 28% right (92% before); at 3e-4, 59% and 92% (40 questions each; at 1e-4, 50% and 100%).
SFT_LEARNING_RATE = 3e-4


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
    seconds: float  # training only
    evaluation_seconds: float  # answering the test questions: before tuning (once per process) and after
    examples: int
    changed_fraction: float
    claims: dict[str, "Difference"] = field(default_factory=dict)  # `core.tuning.claims.zero_shot_claims`


@dataclass
class FeedbackReport:
    method: str
    reward: str
    seconds: float  # training only
    evaluation_seconds: float  # the answers before vs after and the held-out claims
    reward_model_seconds: float
    reward_model_accuracy: float  # on `accuracy_pairs`
    accuracy_pairs: str  # "held-out pairs", or "its training pairs" when the student ranked one question only
    pairs: int
    log: object  # StepLog
    claims: "FeedbackClaims"  # on held-out questions
    before_after: list[tuple[str, str, str]] = field(default_factory=list)  # (question, before, after)


def check_start(start_from: object) -> str:
    return choice(start_from, "the model that answers (start from)", START_FROM)


def check_flag(value: object, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name} must be true or false, got {shown(value)}: tick or untick it")
    return value


def start_model(session: str | None, start_from: str, source: str | None = None) -> LanguageModel:
    from core.tuning.policy import base_model

    if check_start(start_from) == "base":
        return base_model(source)
    return STORE.get(session, "instruction_tuned_model", STEP_1)


def _right_or_wrong(
    lm: LanguageModel,
    tasks: list[str],
    n: int,
    seed: int,
    deadline: Deadline,
    progress: Progress | None = None,
    when: str = "after tuning",
) -> "Bits":
    """Right or wrong per question of every task and phrasing; `progress(done, total, what)` after each task."""
    from core.tuning.zero_shot import score_tasks

    bits = {}
    for done, task in enumerate(tasks, start=1):
        scores = score_tasks(lm, [task], n, seed, deadline)
        bits |= {k: tuple(g.correct for g in v.graded) for k, v in scores.items()}
        if progress is not None:
            progress(done, len(tasks), f"measuring zero-shot accuracy {when}: task {done}/{len(tasks)}")
    return bits


_BASE_SCORES: dict[tuple[str, int, int], "Bits"] = {}  # (base model's source, questions, seed) -> its bits


def _base_scores(
    base: LanguageModel, n: int, seed: int, deadline: Deadline, progress: Progress | None = None
) -> "Bits":
    """A base model never changes, so its graded replies to every task are computed once per process."""
    if (base.source, n, seed) not in _BASE_SCORES:
        _BASE_SCORES[base.source, n, seed] = _right_or_wrong(
            base, list(TASKS), n, seed, deadline, progress, "before tuning"
        )
    return _BASE_SCORES[base.source, n, seed]


@gpu(duration=120)
def instruction_tuning(
    session: str | None,
    tasks: list[str],
    examples: int = 240,
    steps: int = 60,
    learning_rate: float = SFT_LEARNING_RATE,
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

    chosen = [t.name for t in check_tasks(tasks)]
    examples = whole_number(examples, "tuning examples", 1, MAX_EXAMPLES)
    training = check_training(Training(steps=steps, batch_size=8, learning_rate=learning_rate, seed=seed))
    lora = check_flag(lora, "LoRA")
    questions = whole_number(questions, "test questions per task", 1, MAX_EVAL_QUESTIONS)
    deadline = Deadline("ask for fewer steps or fewer test questions per task")
    data = tuning_set(chosen, examples, training.seed)
    base = base_model(source)
    began = time.perf_counter()
    before = _base_scores(base, questions, 1, deadline, progress)
    before_seconds = time.perf_counter() - began

    def tick(step: int, total: int) -> None:
        if progress is not None:
            progress(step, total, f"instruction tuning: step {step}/{total}")

    result = instruction_tune(base, data, training, lora, tick, deadline)
    began = time.perf_counter()
    after = _right_or_wrong(result.lm, list(TASKS), questions, 1, deadline, progress)
    evaluation_seconds = before_seconds + time.perf_counter() - began

    def accuracy(bits: tuple[bool, ...]) -> float:
        return sum(bits) / len(bits)

    rows = tuple(
        TaskRow(
            name, TASKS[name].title, name in chosen, held, accuracy(before[name, held]), accuracy(after[name, held])
        )
        for name in TASKS
        for held in (False, True)
    )
    # a reward model built on the previous tuned model (and its reports) no longer applies
    key = STORE.put(session, instruction_tuned_model=result.lm, reward_model=None)
    report = TuningReport(
        rows,
        tuple(result.log.series("loss")),
        result.seconds,
        evaluation_seconds,
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

    start_from = check_start(start_from)
    question = whole_number(question, "question number", 0, MAX_QUESTION)
    k = whole_number(k, "answers per question", 2, MAX_REPLIES)
    seed = check_seed(seed)
    lm = start_model(session, start_from)
    problem = feedback_problems(1, 10_000 + question)[0]
    replies = sample_replies(lm, prompt_of(problem), k, seed).texts
    key = STORE.put(session, answers=(prompt_of(problem), replies))
    return key, prompt_of(problem), replies


def split_rankings(pairs: list[Pair]) -> tuple[list[Pair], list[Pair]]:
    """The pairs of every question but the last ranked one to train on, and the last one's pairs held out; all
    pairs for both when one question was ranked, as there is nothing to spare."""
    last = pairs[-1].prompt if pairs else None
    train = [p for p in pairs if p.prompt != last]
    if not train:
        return pairs, pairs
    return train, [p for p in pairs if p.prompt == last]


def rank(session: str | None, ranks: list) -> tuple[str, list[Pair]]:
    """Turn a ranking of the answers last shown into pairs, added to the session's preferences; all of them."""
    prompt, replies = STORE.get(session, "answers", "'Write answers' (step 2)")
    new = pairs_from_ranking(prompt, replies, ranks)
    try:
        pairs = STORE.get(session, "preferences", "")
    except ValueError:
        pairs = []
    pairs = [*pairs, *new]
    key = STORE.put(session, preferences=pairs)
    return key, pairs


def default_reward(session: str | None) -> str:
    """The reward step 3 starts with: the student's own rankings once there are any, else the built-in rater."""
    try:
        return "rankings" if STORE.get(session, "preferences", "") else "correct_concise"
    except ValueError:
        return "correct_concise"


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
    claim_questions: int | None = None,
) -> tuple[str, FeedbackReport, dict[str, FeedbackReport]]:
    """Reward model from preferences, then PPO or DPO; this report, and every report of the session on the same
    preferences (for PPO and DPO side by side). The claims use `claim_questions` held-out questions (the tab: HELD_OUT_PROMPTS)."""
    from core.tuning.claims import HELD_OUT_PROMPTS, feedback_claims
    from core.tuning.dpo import dpo
    from core.tuning.ppo import PPOConfig, check_ppo, ppo
    from core.tuning.reward_model import train_reward_model
    from core.tuning.sampling import sample_replies

    method = choice(method, "method", METHODS)
    reward = choice(reward, "reward", REWARDS)
    seed = check_seed(seed)
    config = check_ppo(PPOConfig(steps=steps, learning_rate=learning_rate, kl_coef=kl_coef))
    start_from = check_start(start_from)
    deadline = Deadline("ask for fewer steps")
    start = start_model(session, start_from)

    def say(done: int, total: int, what: str) -> None:
        if progress is not None:
            progress(done, total, what)

    say(0, 1, "collecting preferences")
    if reward == "rankings":
        pairs, held_out = split_rankings(STORE.get(session, "preferences", "'Rank' (step 2) on at least one question"))
    else:
        pairs = rater_preferences(start, reward, RATER_RANKINGS, 4, seed, deadline=deadline)
        held_out = rater_preferences(start, reward, 6, 4, seed + 1, split="test", deadline=deadline)
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
        rm_training = Training(steps=rm_steps, batch_size=8, learning_rate=1e-3, seed=seed)
        rm, reports = train_reward_model(start, pairs, rm_training, deadline=deadline), {}
    problems = feedback_problems(FEEDBACK_PROMPTS, seed + 7)

    def tick(step: int, total: int) -> None:
        say(step, total, f"{method.upper()}: step {step}/{total}")

    if method == "ppo":
        result = ppo(start, rm.score, problems, config, seed, tick, deadline)
    else:
        training = Training(
            steps=config.steps, batch_size=config.batch_size, learning_rate=config.learning_rate, seed=seed
        )
        result = dpo(start, pairs, rm.score, problems, training, config.kl_coef, config.max_new_tokens, tick, deadline)
    began = time.perf_counter()
    before_after = []
    for i, problem in enumerate(feedback_problems(COMPARE_PROMPTS, seed + 99, split="test")):
        deadline.check()
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
    claim_questions = HELD_OUT_PROMPTS if claim_questions is None else claim_questions
    say(1, 1, f"answering {claim_questions} held-out questions before and after")
    deadline.check()
    claims = feedback_claims(start, result.lm, rm.score, config.max_new_tokens, seed, claim_questions)
    accuracy_pairs = "its training pairs" if held_out is pairs else "held-out pairs"
    report = FeedbackReport(method, reward, result.seconds, time.perf_counter() - began, rm.seconds,
                            rm.accuracy(held_out), accuracy_pairs, len(pairs), result.log, claims, before_after)  # fmt: skip
    reports = {**reports, method: report}
    key = STORE.put(session, reward_model=(cache_key, rm, reports), **{f"{method}_tuned_model": result.lm},
                    **{f"{method}_started_from": start_from})  # fmt: skip
    return key, report, reports


@gpu(duration=300)
def compare_methods(
    steps: int = 40, test_questions: int = 16, seed: int = 0, progress: Callable[[float, str], None] | None = None
):
    """The notes' table, measured (`core.tuning.comparison`), within the caps of one request."""
    from core.tuning.comparison import compare
    from core.tuning.policy import base_model

    steps = whole_number(steps, "training steps", 2, 60)
    test_questions = whole_number(test_questions, "held-out test questions", 4, 32)
    seed = check_seed(seed)
    deadline = Deadline("ask for fewer training steps or test questions")
    return compare(base_model(), steps=steps, n_test=test_questions, seed=seed, progress=progress, deadline=deadline)


def tuned_weights_files(session: str | None) -> list[Path]:
    """One safetensors file for each tuned model the session keeps (`core.tuning.weights_file`), in a new folder."""
    from core.tuning.weights_file import download_folder, save_weights

    values = STORE.session(session, STEP_1)
    kept = [name for name in MODELS if values.get(name) is not None]
    if not kept:
        raise ValueError(f"this session has no tuned model yet: run {STEP_1} or feedback tuning (step 3) first")
    folder = download_folder()
    return [save_weights(values[name], name, folder) for name in kept]


def restore_weights(session: str | None, paths: object) -> tuple[str, list[str]]:
    """Check every uploaded file, then keep its model in the session; the session's key and what was restored."""
    from core.tuning.policy import base_model
    from core.tuning.weights_file import UPLOAD_THESE, load_weights

    files = [paths] if isinstance(paths, str | Path) else paths
    if not files or not isinstance(files, list | tuple):
        raise ValueError(f"no tuned weights uploaded: {UPLOAD_THESE}")
    if len(files) > len(MODELS):
        raise ValueError(f"{len(files)} files of tuned weights uploaded: upload at most {len(MODELS)}, one per model")
    base = base_model()
    loaded = dict(load_weights(path, base) for path in files)
    if "instruction_tuned_model" in loaded:
        loaded["reward_model"] = None  # one built on the session's previous tuned model no longer applies
    key = STORE.put(session, **loaded)
    return key, [MODELS[name] for name in MODELS if name in loaded]


DEFAULT_TASKS = list(DEFAULT_TUNING_TASKS)
