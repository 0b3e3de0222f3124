"""Copied to the end: word-mapping accuracy by how many tokens the answer word takes.

    python -m core.prompting.copy_length [--model DIR] [--probe mapping|mapping-new-layout] [--k 4] [--n 200]

A word mapping's answer is one held-out word the prompt names once (`core.prompting.in_context`). Finding it
means copying its first token from after the same key earlier (an induction head, Olsson et al. 2022); writing
it means copying every further token too, each after the one before, against the model's own idea of how a word
it knows goes on (`quimby` written as "quimbe"). This splits the probe's accuracy by the answer word's length in
tokens and counts the replies that begin with its first token, so "does not find the word" and "finds it but does
not finish it" are told apart.
"""

import argparse
from collections import defaultdict
from dataclasses import dataclass

from core.prompting.evaluate import PROBE_TOKENS, generate_all
from core.prompting.in_context import probe_right, probes
from core.prompting.models import LanguageModel
from core.stats.intervals import wilson

PROBES = ("mapping", "mapping-new-layout")


@dataclass(frozen=True)
class Row:
    tokens: int  # the answer word's length in tokens, as the prompt writes it (after a space)
    n: int
    right: int
    low: float
    high: float


@dataclass(frozen=True)
class CopyLengths:
    n: int
    first_token: int  # replies that begin with the answer word's first token
    rows: list[Row]


def measure(lm: LanguageModel, probe: str = "mapping", k: int = 4, n: int = 200) -> CopyLengths:
    """The probe's n questions (the evaluation's own: same seed) answered greedily, split by answer length."""
    if probe not in PROBES:
        raise ValueError(f"probe must be one of {', '.join(PROBES)}, got {probe!r}")
    items = probes(probe, k, n)
    replies = generate_all(lm, [p.prompt for p in items], PROBE_TOKENS, False, stop=("\n",))
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # tokens -> [n, right]
    first = 0
    for item, reply in zip(items, replies, strict=True):
        truth = lm.tokenizer(" " + item.truth, add_special_tokens=False).input_ids
        said = lm.tokenizer(reply, add_special_tokens=False).input_ids
        first += said[:1] == truth[:1]
        counts[len(truth)][0] += 1
        counts[len(truth)][1] += probe_right(item, reply)
    rows = [Row(t, total, right, *wilson(right, total)) for t, (total, right) in sorted(counts.items())]
    return CopyLengths(n, first, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=None, help="a model folder instead of the bundled model")
    parser.add_argument("--probe", choices=PROBES, default="mapping")
    parser.add_argument("--k", type=int, default=4, help="pairs in the prompt")
    parser.add_argument("--n", type=int, default=200)
    args = parser.parse_args(argv)

    from core.prompting.models import NAME, load
    from core.runtime import get_model

    result = measure(load(args.model) if args.model else get_model(NAME), args.probe, args.k, args.n)
    print(f"{args.probe}, k = {args.k}: first token right in {result.first_token} of {result.n} replies")
    print("tokens  n    right  95% interval")
    for row in result.rows:
        print(f"{row.tokens:>6}  {row.n:<4} {row.right / row.n:>5.0%}  [{row.low:.0%}, {row.high:.0%}]")


if __name__ == "__main__":
    main()
