"""Our own compute-optimal ratio: IsoFLOP profiles on the ladder's corpus (Hoffmann et al. 2022, approach 2).

    python -m core.scale.isoflop --budgets 1e12,2e12,4e12 --members w16-d1,w32-d2,w64-d3,w96-d4,w128-d4
                                 --out core/scale/isoflop.json [--batch-size 2] [--threads 2] [--seed 0] [--device cuda]

At each compute budget C every chosen ladder member is trained from scratch (the ladder's recipe,
`core.scale.ladder.train_member`) on D = C / (6 N) tokens, so that all runs of one budget cost the same, and its
held-out loss is measured. A member that would get fewer than MIN_STEPS steps at a budget is left out there (its
warm-up alone would be most of the run). `core.scale.isoflop_fit` then finds the loss-minimising size at each
budget and the tokens per parameter there. The JSON gathers one row per run: budget, member, parameters,
tokens, steps, seconds and held-out loss.
"""

import argparse
import json
import math
import tempfile
from pathlib import Path

import torch

from core.prompting.choices import MODEL_DIR
from core.prompting.train import WARMUP
from core.scale.ladder import MEMBERS, check_device, train_member

MIN_STEPS = 2 * WARMUP  # fewer, and the learning-rate warm-up is half the run or more


def parameters_of(member_name: str, vocab_size: int, eos_id: int) -> int:
    """N of a ladder member, counted on a model built from its configuration."""
    from transformers import LlamaForCausalLM

    from core.scale.ladder import config_for, count_parameters

    with torch.device("meta"):  # the shapes only: no memory, no initialisation
        model = LlamaForCausalLM(config_for(MEMBERS[member_name], vocab_size, eos_id))
    return count_parameters(model)


def plan(budgets: list[float], members: list[str], sizes: dict[str, int], tokens_per_step: int) -> list[dict]:
    """The runs: for every budget and member, the steps that spend the budget (C / (6 N) tokens, rounded to
    whole steps), and whether the run is long enough to make."""
    runs = []
    for budget in budgets:
        for name in members:
            steps = round(budget / (6 * sizes[name] * tokens_per_step))
            runs.append({"budget": budget, "member": name, "parameters": sizes[name], "steps": steps})
    return runs


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--budgets", required=True, help="training FLOPs per run, comma-separated, e.g. 1e12,4e12")
    parser.add_argument("--members", required=True, help="ladder members, comma-separated, e.g. w16-d1,w32-d2")
    parser.add_argument("--out", type=Path, required=True, help="the runs' JSON file")
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--context", type=int, default=1024)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--eval-batches", type=int, default=4)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda to train on a GPU")
    args = parser.parse_args(argv)
    check_device(parser, args.device)
    try:
        args.budgets = sorted({float(b) for b in args.budgets.split(",") if b.strip()})
    except ValueError:
        parser.error(f"--budgets takes FLOP counts separated by commas, e.g. 1e12,4e12; got {args.budgets!r}")
    if not args.budgets or not all(math.isfinite(b) and b > 0 for b in args.budgets):
        parser.error("--budgets must be positive finite FLOP counts, e.g. 1e12,4e12")
    names = [name.strip() for name in args.members.split(",") if name.strip()]
    unknown = [name for name in names if name not in MEMBERS]
    if unknown or len(names) < 3:
        parser.error(f"give at least 3 ladder members (a parabola needs 3 sizes) from {', '.join(MEMBERS)}")
    args.members = list(dict.fromkeys(names))
    for flag, value in [("--batch-size", args.batch_size), ("--context", args.context), ("--threads", args.threads)]:
        if value < 1:
            parser.error(f"{flag} must be a positive whole number; got {value}")
    return args


def main(argv: list[str] | None = None) -> dict:
    from transformers import AutoTokenizer

    args = parse(argv)
    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    sizes = {name: parameters_of(name, len(tokenizer), tokenizer.eos_token_id) for name in args.members}
    result = {
        "batch_size": args.batch_size,
        "context": args.context,
        "seed": args.seed,
        "min_steps": MIN_STEPS,
        "runs": plan(args.budgets, args.members, sizes, args.batch_size * args.context),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:  # the runs' models are not kept: their losses are the result
        member_args = argparse.Namespace(**{**vars(args), "out": Path(scratch)})
        for run in result["runs"]:
            if run["steps"] < MIN_STEPS:
                print(f"{run['member']} at {run['budget']:.0e} FLOPs: {run['steps']} steps, left out", flush=True)
                continue
            row = train_member(MEMBERS[run["member"]], tokenizer, run["steps"], member_args)
            run.update(tokens=row["tokens"], flops=row["flops"], seconds=row["seconds"], loss=row["held_out_loss"])
            args.out.write_text(json.dumps(result, indent=1) + "\n")
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}", flush=True)
    return result


if __name__ == "__main__":
    main()
