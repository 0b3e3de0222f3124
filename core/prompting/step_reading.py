"""Step by step: how often a coin-flip chain reads each person's sentence right, not only the final answer.

    python -m core.prompting.step_reading [--model DIR] [--chains quoted] [--wording invented] [--n 100]

A coin flip's answer is the parity of 8-12 steps, so a model that reads four sentences in five right still
answers about half its questions wrong: the answer alone cannot tell "reads nothing" from "reads most steps".
This counts, in every reply to a few-shot chain-of-thought prompt, the steps that name a person of the question
and say "flips" or "does not" (plain: "Ka flips: tails."; quoted: "Ka turns it: flips, tails."), and how many of
those say what that person's sentence means. The interval is a bootstrap over questions, since the steps of one
reply are not independent of each other.
"""

import argparse
import re
from dataclasses import dataclass

import numpy as np
from scipy.stats import bootstrap

from core.prompting.evaluate import CHAINS, evaluate, in_turns, invented_wordings
from core.prompting.models import LanguageModel
from core.prompting.tasks import Problem
from core.prompting.tasks.families import FAMILIES

STEP = re.compile(r"([^.:]+?):? (flips|does not)[:,] (?:heads|tails)\.")  # (who, or the quoted sentence; meaning)


def truth(problem: Problem) -> dict[str, str]:
    """Each person of a coin flip, and what their sentence means ("flips" or "does not")."""
    return {step.split(" ", 1)[0]: "flips" if " flips:" in step else "does not" for step in problem.steps}


def read_steps(reply: str, problem: Problem) -> tuple[int, int]:
    """(steps that name exactly one person of `problem`, those whose meaning is right). A person named twice
    counts each time."""
    people = truth(problem)
    named = right = 0
    for said, meaning in STEP.findall(reply):
        who = [p for p in people if re.search(rf"\b{p}\b", said)]
        if len(who) == 1:
            named += 1
            right += people[who[0]] == meaning
    return named, right


@dataclass(frozen=True)
class Reading:
    questions: int
    steps: int  # steps that name a person of their question
    expected: int  # steps the reference chains have
    right: float  # share of those steps whose meaning is right
    low: float
    high: float
    answers: float  # share of questions answered right


def measure(lm: LanguageModel, wording: str = "invented", quoted: bool = False, n: int = 100, k: int = 4) -> Reading:
    """Step reading on n held-out multi-step coin flips in `wording` ("invented": the evaluation's new draws of
    the corpus's invented wordings, taking turns; else a held-out wording's name, or "corpus")."""
    family = FAMILIES["coin_flip"]
    if wording not in ("invented", "corpus") and wording not in family.held_out:
        raise ValueError(f"wording must be 'invented', 'corpus' or one of {sorted(family.held_out)}, got {wording!r}")
    drawn = invented_wordings("coin_flip") if wording == "invented" else [family.held_out.get(wording)]
    per_question, steps, expected, answers = [], 0, 0, 0
    for said, _, mine in in_turns("coin_flip", n, drawn):
        report = evaluate(lm, mine, "few-shot-cot", k=k, chat=False, wording=said, quoted=quoted)
        for item, problem in zip(report.items, mine, strict=True):
            named, right = read_steps(item.generation, problem)
            steps, expected, answers = steps + named, expected + problem.length, answers + item.correct
            if named:
                per_question.append((named, right))
    counts = np.array(per_question, dtype=float)  # (questions, 2): steps named, steps right
    share = counts[:, 1].sum() / counts[:, 0].sum()
    ci = bootstrap(
        (np.arange(len(counts)),),
        lambda idx: counts[idx, 1].sum() / counts[idx, 0].sum(),
        n_resamples=2000,
        random_state=0,
    ).confidence_interval
    return Reading(n, steps, expected, share, ci.low, ci.high, answers / n)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="a model folder instead of the bundled model")
    parser.add_argument("--chains", choices=CHAINS, default="plain", help="how the examples' steps read")
    parser.add_argument("--wording", default="invented", help="invented, corpus or a held-out coin-flip wording")
    parser.add_argument("--n", type=int, default=100, help="questions")
    args = parser.parse_args(argv)

    from core.prompting.models import NAME, load
    from core.runtime import get_model

    lm = load(args.model) if args.model else get_model(NAME)
    r = measure(lm, args.wording, args.chains == "quoted", args.n)
    print(
        f"{args.wording}, {args.chains} chains, {r.questions} questions: {r.steps} of {r.expected} steps name a "
        f"person; their meaning right {r.right:.1%} [{r.low:.1%}, {r.high:.1%}]; answers right {r.answers:.1%}"
    )


if __name__ == "__main__":
    main()
