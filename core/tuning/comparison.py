"""The notes' table "Getting the most out of large language models", measured: one target behaviour reached by
fine-tuning, by prompt engineering and by RLHF.

The target: answer a coin-flip question ("Q: ...\\nA:") with the right word only, "yes" or "no" (the base model
says "The answer is yes."). Each way is measured on the same held-out questions: labelled examples or rankings
used, compute seconds, fraction of weights changed, accuracy reached, and accuracy on an unrelated task
(last-letter questions, any answer format) before and after, which shows forgetting.
"""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.prompting.models import LanguageModel
from core.prompting.tasks import Problem
from core.runtime.limits import Deadline
from core.runtime.training import Training
from core.tuning.instructions import Example, one_word
from core.tuning.models import base_question
from core.tuning.policy import changed_fraction
from core.tuning.rater import is_right
from core.tuning.zero_shot import replies

NOTES = {  # the notes' "what / how / when", shortened
    "Fine-tuning": (
        "Further training a pre-trained model on a smaller dataset specific to the task.",
        "Load the pre-trained model, then adjust its weights (often the last layers only) on the task's data.",
        "A well-defined task with enough labelled data.",
    ),
    "Prompt engineering": (
        "Designing prompts or instructions that guide the model to the task.",
        "Select and arrange the words of the prompt; run experiments, record findings, refine.",
        "Tasks needing precise, well-defined outputs; also to steer a fine-tuned model.",
    ),
    "RLHF": (
        "Training the model from human evaluators' feedback.",
        "Train a baseline, have people rate its responses, update the weights from their feedback.",
        "High accuracy over a wide variety of inputs, when labelled data is scarce.",
    ),
}
PROMPT_CANDIDATES = (  # the search space of prompt engineering: prefixes put before "Q: ...\nA:"
    "",
    "Answer in one word.\n",
    "Reply with yes or no only.\n",
    "Q: A coin is heads up. Ann flips it. Is the coin still heads up?\nA: no\n\n",
    "Q: A coin is heads up. Ann flips it. Is the coin still heads up?\nA: no\n\n"
    "Q: A coin is heads up. Bob does not flip it. Is the coin still heads up?\nA: yes\n\n",
)


@dataclass(frozen=True)
class Row:
    method: str
    data_used: str  # labelled examples or rankings
    seconds: float
    changed_fraction: float
    accuracy: float  # of the target behaviour on held-out questions
    unrelated_before: float
    unrelated_after: float
    detail: str


def questions(family: str, n: int, seed: int, split: str) -> list[Problem]:
    rng = random.Random(seed)
    return [base_question(family, rng, split) for _ in range(n)]


def plain(problem: Problem, prefix: str = "") -> str:
    return f"{prefix}Q: {problem.question}\nA:"


def target_accuracy(lm: LanguageModel, problems: list[Problem], prefix: str = "") -> float:
    got = replies(lm, [plain(p, prefix) for p in problems], 16)
    return sum(one_word(r, p) for r, p in zip(got, problems, strict=True)) / len(problems)


def unrelated_accuracy(lm: LanguageModel, problems: list[Problem]) -> float:
    got = replies(lm, [plain(p) for p in problems], 120)
    return sum(is_right(r, p) for r, p in zip(got, problems, strict=True)) / len(problems)


def compare(
    base: LanguageModel,
    examples: int = 64,
    rankings: int = 12,
    steps: int = 40,
    n_test: int = 16,
    seed: int = 0,
    progress: Callable[[float, str], None] | None = None,
    deadline: Deadline | None = None,
) -> list[Row]:
    """The three rows of the table, each measured on the same `n_test` held-out questions; `deadline` is checked
    before each row and each training step."""
    from core.tuning.ppo import PPOConfig, ppo
    from core.tuning.preferences import rater_preferences
    from core.tuning.reward_model import train_reward_model
    from core.tuning.sft import instruction_tune

    def report(fraction: float, what: str) -> None:
        """Say what runs next, after stopping if the deadline has passed."""
        if deadline is not None:
            deadline.check()
        if progress is not None:
            progress(fraction, what)

    training = Training(steps=steps, batch_size=8, learning_rate=1e-3, seed=seed)  # the SFT and reward-model runs
    test = questions("coin_flip", n_test, seed + 1, "test")
    other = questions("last_letter", n_test, seed + 2, "test")
    report(0.0, "measuring the base model")
    unrelated_base = unrelated_accuracy(base, other)
    rows = []

    report(0.1, "fine-tuning (SFT on labelled one-word answers)")
    train = questions("coin_flip", examples, seed, "train")
    labelled = [Example("one_word:coin_flip", plain(p), " " + p.answer, p, False) for p in train]
    sft = instruction_tune(base, labelled, training, deadline=deadline)
    rows.append(
        Row(
            "Fine-tuning",
            f"{examples} labelled examples",
            sft.seconds,
            sft.changed_fraction,
            target_accuracy(sft.lm, test),
            unrelated_base,
            unrelated_accuracy(sft.lm, other),
            f"SFTTrainer, {steps} steps of 8",
        )
    )

    report(0.4, "prompt engineering (searching prompts on labelled questions)")
    dev = questions("coin_flip", 8, seed + 3, "train")
    began = time.perf_counter()
    dev_scores = [target_accuracy(base, dev, prefix) for prefix in PROMPT_CANDIDATES]
    best = max(range(len(PROMPT_CANDIDATES)), key=lambda i: dev_scores[i])
    seconds = time.perf_counter() - began
    shown = PROMPT_CANDIDATES[best].replace("\n", " / ").strip(" /") or "(no prefix)"
    rows.append(
        Row(
            "Prompt engineering",
            f"{len(dev)} labelled questions x {len(PROMPT_CANDIDATES)} prompts",
            seconds,
            0.0,
            target_accuracy(base, test, PROMPT_CANDIDATES[best]),
            unrelated_base,
            unrelated_base,
            f"best prompt: {shown}",
        )
    )

    report(0.6, "RLHF (rankings, reward model, PPO)")
    began = time.perf_counter()
    pairs = rater_preferences(base, "correct_concise", rankings, 4, seed, deadline=deadline)
    rm = train_reward_model(base, pairs, training, deadline=deadline)
    train_questions = questions("coin_flip", 32, seed + 4, "train")
    tuned = ppo(base, rm.score, train_questions, PPOConfig(steps=steps // 2), seed, deadline=deadline)
    rows.append(
        Row(
            "RLHF",
            f"{rankings} rankings of 4 replies ({len(pairs)} pairs)",
            time.perf_counter() - began,
            changed_fraction(base.model, tuned.lm.model),
            target_accuracy(tuned.lm, test),
            unrelated_base,
            unrelated_accuracy(tuned.lm, other),
            f"reward model {rm.seconds:.0f} s, PPO {tuned.seconds:.0f} s ({steps // 2} steps)",
        )
    )
    return rows


def reading(rows: list[Row]) -> str:
    """A sentence on the ways that reached none of the target: what 0% means here."""
    why = {
        "Fine-tuning": "fine-tuning's steps were too few to teach the one-word format",
        "Prompt engineering": f"prompting searched only {len(PROMPT_CANDIDATES)} prefixes of a small model that "
        "follows no instruction",
        "RLHF": "RLHF's reward (correct and concise) pays first for a right answer and only a little for a short "
        "one, and PPO ran a few steps",
    }
    missed = [r.method for r in rows if r.accuracy == 0]
    if not missed:
        return ""
    names = " and ".join([", ".join(missed[:-1]), missed[-1]] if len(missed) > 1 else missed)
    reasons = "; ".join(why[m] for m in missed)
    return (
        f'{names} reached 0% of the target: no reply was the right word alone (the base model answers "The answer '
        f'is yes."). Here {reasons}. So 0% measures this budget and this reward, not what the method can do.'
    )
