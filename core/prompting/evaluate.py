"""Accuracy per prompting strategy and per problem length, on held-out questions, in batches.

    python -m core.prompting.evaluate [--n 40] [--write]

prints answer-only vs chain-of-thought accuracy per task, for trained lengths and for longer
problems than any trained one (as in Wei et al. 2022, section 5), next to the chance baseline.
`--write` stores the numbers in `model/evaluation.json`, which the lab's claim check reads.
"""

import argparse
import json
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass

from core.prompting.answers import extract, first_reply, is_correct, normalise
from core.prompting.claims import EVALUATION_FILE, claims_table
from core.prompting.models import LanguageModel
from core.prompting.prompts import STRATEGIES, build_prompt
from core.prompting.sources import NAME
from core.prompting.tasks import Problem, sample
from core.prompting.tasks.families import FAMILIES

MAX_N = 500
MAX_NEW_TOKENS = 400  # enough for the longest chain; a reply stops earlier at end-of-text or a new "Q:"
LENGTH_SETS = ("trained", "longer")


@dataclass(frozen=True)
class ItemResult:
    question: str
    length: int
    truth: str
    predicted: str | None
    correct: bool
    prompt: str
    generation: str


@dataclass(frozen=True)
class Report:
    task: str
    strategy: str
    items: tuple[ItemResult, ...]

    @property
    def accuracy(self) -> float:
        return sum(i.correct for i in self.items) / len(self.items)

    def accuracy_by_length(self) -> dict[int, float]:
        by_length = defaultdict(list)
        for item in self.items:
            by_length[item.length].append(item.correct)
        return {length: sum(c) / len(c) for length, c in sorted(by_length.items())}


def lengths_of(task: str, length_set: str) -> tuple[int, ...]:
    if task not in FAMILIES:
        raise ValueError(f"unknown task {task!r}: choose one of {', '.join(FAMILIES)}")
    family = FAMILIES[task]
    if length_set == "trained":
        return family.train_lengths
    if length_set == "longer":
        return family.longer_lengths
    if length_set == "all":
        return family.train_lengths + family.longer_lengths
    raise ValueError(f"length set must be 'trained', 'longer' or 'all', got {length_set!r}")


def held_out_problems(task: str, n: int, lengths: tuple[int, ...], seed: int = 1) -> list[Problem]:
    """n held-out problems, the lengths taking turns."""
    if task not in FAMILIES:
        raise ValueError(f"unknown task {task!r}: choose one of {', '.join(FAMILIES)}")
    if not 1 <= n <= MAX_N:
        raise ValueError(f"n must be from 1 to {MAX_N} questions, got {n}")
    rng = random.Random(seed)
    return [sample(FAMILIES[task], rng, lengths[i % len(lengths)], "test") for i in range(n)]


def chance(problems: list[Problem]) -> float:
    """Accuracy of always giving the most common right answer: the bar a model must beat."""
    counts = Counter(normalise(p.answer) for p in problems)
    return counts.most_common(1)[0][1] / len(problems)


def evaluate(
    lm: LanguageModel,
    problems: list[Problem],
    strategy: str,
    k: int = 2,
    batch_size: int = 16,
    chat: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Greedy answers to `problems` under `strategy`, `batch_size` prompts at a time."""
    from core.prompting.generate import generate_batch

    prompts = [build_prompt(p, strategy, k=k, seed=1000 + i) for i, p in enumerate(problems)]
    generations: list[str] = []
    for start in range(0, len(prompts), batch_size):
        generations += generate_batch(lm, prompts[start : start + batch_size], MAX_NEW_TOKENS, chat)
        if progress:
            progress(len(generations), len(prompts))
    items = []
    for problem, prompt, generation in zip(problems, prompts, generations, strict=True):
        reply = first_reply(generation)
        items.append(
            ItemResult(
                problem.question,
                problem.length,
                problem.answer,
                extract(reply),
                is_correct(reply, problem.answer),
                prompt,
                reply,
            )
        )
    return Report(problems[0].task, strategy, tuple(items))


def run_all(lm: LanguageModel, n: int, k: int) -> dict:
    accuracy: dict = {}
    for task in FAMILIES:
        accuracy[task] = {}
        for length_set in LENGTH_SETS:
            problems = held_out_problems(task, n, lengths_of(task, length_set))
            row = {"chance": chance(problems)}
            for strategy in STRATEGIES:
                row[strategy] = evaluate(lm, problems, strategy, k=k, batch_size=n).accuracy
            accuracy[task][length_set] = row
    return {"n": n, "k": k, "command": f"python -m core.prompting.evaluate --n {n} --k {k}", "accuracy": accuracy}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=40, help="questions per task, strategy and length set")
    parser.add_argument("--k", type=int, default=2, help="worked examples in few-shot prompts")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--write", action="store_true", help=f"store the numbers in {EVALUATION_FILE.name}")
    args = parser.parse_args(argv)

    import torch

    from core.runtime import get_model

    torch.set_num_threads(args.threads)
    began = time.monotonic()
    results = run_all(get_model(NAME), args.n, args.k)
    print(claims_table(results))
    print(f"\n{args.n} questions per cell, k = {args.k}, {time.monotonic() - began:.0f} s")
    if args.write:
        EVALUATION_FILE.write_text(json.dumps(results, indent=1))


def as_rows(report: Report) -> list[dict]:
    return [asdict(item) for item in report.items]


if __name__ == "__main__":
    main()
