"""Abilities against scale, measured on our own ladder under two metrics side by side (Wei et al. 2022, "Emergent
abilities"; Schaeffer et al. 2023, "Are emergent abilities a mirage?").

    python -m core.scale.abilities --ladder DIR [--n 200] [--workers 2]

Every member of the ladder in DIR answers the same held-out problems, greedily and in batches: unrelated labels and
word mapping at k = 4 (`core.prompting.in_context`), and multi-step arithmetic under few-shot chain-of-thought
and answer-only prompts (`core.prompting.evaluate`'s problems and prompts, k = 4). Each item is scored all or
nothing (exact match) and continuously: log p(right reply | prompt), teacher-forced, and the token edit distance
from the model's reply to the right one (`core.scale.emergence`). The right reply is written as the prompt's
examples write theirs: the answer word for a probe, "The answer is 6." or the worked chain for arithmetic.
DIR/abilities.json keeps every item's scores; the held-out loss, parameters and FLOPs stay in DIR/ladder.json.
"""

import argparse
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import t as student_t

from core.prompting.answers import is_correct, normalise, read_answer, with_lead
from core.prompting.evaluate import PROBE_TOKENS, chance, generate_all, held_out_problems, lengths_of, token_budget
from core.prompting.in_context import probes
from core.prompting.models import LanguageModel
from core.prompting.prompts import Format, build_prompt, worked_answer
from core.scale.emergence import answer_logprob, token_edit_distance
from core.scale.ladder_files import ABILITIES, METRICS, RESULTS, read_ladder
from core.stats import Estimate, proportion

K = 4  # examples in every prompt
TASK = "arithmetic"
PROBES = ("labels", "mapping")  # the abilities asked as in-context probes; the others are arithmetic
MAX_N = 500


@dataclass(frozen=True)
class Item:
    prompt: str
    reference: str  # the right reply as it follows the prompt, e.g. " dax" or " The answer is 6."
    truth: str  # the answer exact match compares with


def items_of(ability: str, n: int) -> tuple[list[Item], float]:
    """n held-out items of `ability` and the exact-match rate of guessing."""
    if ability in PROBES:
        found = probes(ability, K, n)
        return [Item(p.prompt, f" {p.truth}", p.truth) for p in found], found[0].chance
    if ability not in ABILITIES:
        raise ValueError(f"ability must be one of {', '.join(ABILITIES)}, got {ability!r}")
    problems = held_out_problems(TASK, n, lengths_of(TASK, "multi-step"))
    cot = ability == "arithmetic-cot"
    strategy = "few-shot-cot" if cot else "few-shot"
    prompts = [build_prompt(p, strategy, k=K, seed=1000 + i) for i, p in enumerate(problems)]  # as evaluate does
    replies = [f" {worked_answer(p, Format(chain=cot))}" for p in problems]
    return [Item(q, r, p.answer) for q, r, p in zip(prompts, replies, problems, strict=True)], chance(problems)


def replies_to(lm: LanguageModel, ability: str, items: list[Item], batch_size: int) -> list[str]:
    """Greedy replies, in batches: a probe's up to its line's end, arithmetic's up to the next worked example."""
    prompts = [i.prompt for i in items]
    if ability in PROBES:
        return generate_all(lm, prompts, PROBE_TOKENS, chat=False, batch_size=batch_size, stop=("\n",))
    strategy = "few-shot-cot" if ability == "arithmetic-cot" else "few-shot"
    budget = token_budget(lm, held_out_problems(TASK, len(items), lengths_of(TASK, "multi-step")), strategy)
    return generate_all(lm, prompts, budget, chat=False, batch_size=batch_size)


def right(ability: str, item: Item, reply: str) -> bool:
    """Exact match as the prompting lab scores it: a probe's answer word, or arithmetic's "the answer is X"."""
    if ability in PROBES:
        return read_answer(reply) == normalise(item.truth)  # as `core.prompting.in_context.probe_right`
    return is_correct(with_lead(item.prompt, reply), item.truth)


def score(lm: LanguageModel, ability: str, n: int, batch_size: int = 25) -> dict:
    """Every item of `ability` scored three ways: right/wrong bits, log p(right reply) and the edit distance."""
    items, guess = items_of(ability, n)
    replies = replies_to(lm, ability, items, batch_size)
    ids = lambda text: lm.tokenizer(text, add_special_tokens=False).input_ids  # noqa: E731
    return {
        "chance": guess,
        "right": "".join("1" if right(ability, i, r) else "0" for i, r in zip(items, replies, strict=True)),
        "logprob": [round(answer_logprob(lm.model, lm.tokenizer, i.prompt, i.reference), 4) for i in items],
        "edit": [
            token_edit_distance(ids(" " + r.strip()), ids(i.reference)) for i, r in zip(items, replies, strict=True)
        ],
        "replies": replies[:3],  # a few, to read what the member writes
    }


def exact_estimate(bits: str) -> Estimate:
    """The exact-match rate with its 95% Wilson interval."""
    return proportion(bits.count("1"), len(bits))


def mean_estimate(values: list[float], confidence: float = 0.95) -> Estimate:
    """The mean with its 95% Student's t interval (n >= 2 items)."""
    v = np.asarray(values, dtype=float)
    half = student_t.ppf(0.5 + confidence / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v))
    return Estimate(float(v.mean()), float(v.mean() - half), float(v.mean() + half), len(v), method="Student's t")


def estimate(cell: dict, metric: str) -> Estimate:
    """One member's score on one ability under `metric` (a key of METRICS)."""
    if metric == "exact":
        return exact_estimate(cell["right"])
    if metric in METRICS:
        return mean_estimate(cell[metric])
    raise ValueError(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")


def chance_level(ability_results: dict, metric: str) -> float | None:
    """Guessing's level: its exact-match rate; for log-probability, a guess spread evenly over the answers a probe
    offers (log chance); none for edit distance or for arithmetic's log-probability."""
    guess = ability_results["chance"]
    if metric == "exact":
        return guess
    return math.log(guess) if metric == "logprob" and ability_results["probe"] else None


_worker_models: dict[str, LanguageModel] = {}


def _score_in_worker(folder: str, member: str, ability: str, n: int) -> dict:
    """One (member, ability) cell in a worker process, which loads each member once and runs on one thread."""
    import torch

    from core.scale.models import member_model

    torch.set_num_threads(1)
    if member not in _worker_models:
        _worker_models[member] = member_model(Path(folder), member)
    return score(_worker_models[member], ability, n)


def measure(folder: Path, n: int, workers: int = 2, log: Callable[[str], None] = print) -> dict:
    """Every member of the ladder in `folder` on every ability, on `workers` processes, with a line per cell."""
    from concurrent.futures import ProcessPoolExecutor

    members = list(read_ladder(folder))
    todo = [(m, a) for m in members for a in ABILITIES]
    results: dict = {a: {"title": t, "probe": a in PROBES, "members": {}} for a, t in ABILITIES.items()}
    with ProcessPoolExecutor(workers) as pool:
        futures = [pool.submit(_score_in_worker, str(folder), m, a, n) for m, a in todo]
        for done, ((member, ability), future) in enumerate(zip(todo, futures, strict=True), start=1):
            cell = future.result()
            results[ability]["chance"] = cell.pop("chance")
            results[ability]["members"][member] = cell
            log(
                f"[{done}/{len(todo)}] {member} {ability}: exact match {exact_estimate(cell['right']).effect:.0%}, "
                f"log p {np.mean(cell['logprob']):.2f}, edit distance {np.mean(cell['edit']):.1f}"
            )
    return {"n": n, "k": K, "members": members, "abilities": results}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ladder", type=Path, required=True, help="a folder written by python -m core.scale.ladder")
    parser.add_argument("--n", type=int, default=200, help="held-out items per member and ability")
    parser.add_argument("--workers", type=int, default=2, help="processes, one thread each")
    args = parser.parse_args(argv)
    if not 2 <= args.n <= MAX_N:
        parser.error(f"--n must be from 2 to {MAX_N} items per cell, e.g. 200; got {args.n}")
    if args.workers < 1:
        parser.error(f"--workers must be a positive whole number, e.g. 2; got {args.workers}")
    try:
        read_ladder(args.ladder)
    except ValueError as err:
        parser.error(str(err))
    began = time.monotonic()
    results = measure(args.ladder, args.n, args.workers)
    results["seconds"] = round(time.monotonic() - began, 1)
    results["command"] = f"python -m core.scale.abilities --ladder {args.ladder} --n {args.n}"
    (args.ladder / RESULTS).write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {args.ladder / RESULTS} in {results['seconds']} s", flush=True)
    return results


if __name__ == "__main__":
    main()
