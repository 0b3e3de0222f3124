"""The phase change inside one training run (Olsson et al. 2022, "In-context learning and induction heads").

    python -m core.scale.phase_change --steps 1200 --out core/scale/phase_runs/seed-0.json [--documents 64]
                                      [--probes 64] [--keep 100,400] [--threads 2] [--seed 0] [--device cuda]

Olsson et al. saw, early in the training of every multi-layer transformer they made, a short window in which the
model's in-context learning and its induction heads appear together. This trains the bundled base model's recipe
(`core.prompting.train`: the w160-d6 shape, the same corpus, batches, AdamW and learning-rate schedule, whose first
`--steps` steps these are) from scratch and measures, at steps spaced more closely where the change comes:

- the in-context-learning score: a document's loss at its 500th token minus its loss at its 50th (Olsson et al.'s
  definition, each averaged over the WINDOW tokens either side), on `--documents` fixed held-out documents of at
  least 511 tokens, each read from its start; it falls below zero when later tokens profit from what came before;
- the same documents' mean loss, where the change shows as a bump (Olsson et al.);
- each head's prefix-matching score: on `--probes` runs of R distinct random tokens written twice, the attention a
  token of the second copy pays to the token that followed the same token in the first copy (Olsson et al.'s
  induction-head score); the strongest head's score is the curve.

Per item values are kept (one per document, and one per probe and head), so `core.scale.phase_report` can put
95% intervals on each curve and on when each one changes. `--keep` saves the model at those steps (float16,
loadable with `from_pretrained`) under the folder of `--out`.
"""

import argparse
import copy
import json
import random
import tempfile
from pathlib import Path

import torch

from core.prompting.choices import MODEL_DIR
from core.prompting.corpus import document
from core.prompting.train import STEPS
from core.scale.ladder import EVAL_SEED, MEMBERS, check_device, train_member

EARLY, LATE = 50, 500  # Olsson et al.'s token positions
WINDOW = 10  # tokens either side of each position averaged, to steady a per-document score
RUN = 48  # distinct random tokens in an induction probe, written twice
RECIPE = "w160-d6"  # the bundled model's shape


def measurement_steps(steps: int) -> list[int]:
    """Every 10 steps up to 300, every 25 up to 600, then every 50, and the last step: closest where Olsson et al.
    and this corpus's copying documents put the change."""
    marks = set(range(0, min(steps, 300) + 1, 10)) | set(range(300, min(steps, 600) + 1, 25))
    return sorted(marks | set(range(600, steps + 1, 50)) | {steps})


def evaluation_documents(tokenizer, n: int, seed: int) -> torch.Tensor:
    """`n` held-out documents of at least LATE + WINDOW + 1 tokens, each cut there after an end-of-text token
    (as every document follows one in training): (n, LATE + WINDOW + 2). Drawn from the ladder's held-out seed."""
    rng, rows = random.Random(EVAL_SEED + seed), []
    need = LATE + WINDOW + 1
    while len(rows) < n:
        ids = tokenizer(document(rng)).input_ids
        if len(ids) >= need:
            rows.append([tokenizer.eos_token_id] + ids[:need])
    return torch.tensor(rows)  # (n, T)


def induction_probes(tokenizer, n: int, seed: int, run: int = RUN) -> torch.Tensor:
    """`n` rows of an end-of-text token, then `run` distinct random ordinary tokens, then the same tokens again:
    (n, 1 + 2 run)."""
    rng = random.Random(EVAL_SEED + seed)
    special = set(tokenizer.all_special_ids)
    ordinary = [i for i in range(len(tokenizer)) if i not in special]
    rows = []
    for _ in range(n):
        tokens = rng.sample(ordinary, run)
        rows.append([tokenizer.eos_token_id] + tokens + tokens)
    return torch.tensor(rows)  # (n, 1 + 2 run)


@torch.no_grad()
def document_losses(model, documents: torch.Tensor) -> tuple[list[float], list[float]]:
    """Per document: the in-context score, mean loss over tokens LATE +- WINDOW minus mean loss over tokens
    EARLY +- WINDOW, and the mean loss over all its tokens, in nats (token t of a document is predicted from the
    end-of-text token and tokens 0..t-1)."""
    logits = model(documents[:, :-1]).logits  # (n, T - 1, vocab): position t predicts document token t
    losses = torch.nn.functional.cross_entropy(logits.float().transpose(1, 2), documents[:, 1:], reduction="none")
    late = losses[:, LATE - WINDOW : LATE + WINDOW + 1].mean(1)  # (n,)
    early = losses[:, EARLY - WINDOW : EARLY + WINDOW + 1].mean(1)  # (n,)
    return (late - early).tolist(), losses.mean(1).tolist()


def prefix_scores(attentions, run: int) -> torch.Tensor:
    """From each layer's attention weights (n, heads, T, T) on probes of `run` tokens written twice after one
    end-of-text token: per probe, layer and head, the mean attention from each token of the second copy (but the
    last) to the token that followed its first occurrence. (n, layers, heads)"""
    queries = torch.arange(1 + run, 2 * run)  # the second copy's tokens 0..run-2
    keys = queries - run + 1  # the token after each one's first occurrence
    return torch.stack([layer[:, :, queries, keys].mean(-1) for layer in attentions], dim=1)


@torch.no_grad()
def prefix_matching(model, probes: torch.Tensor) -> list[list[list[float]]]:
    """Every head's prefix-matching score on each probe: (n, layers, heads). Eager attention, the one that
    returns its weights."""
    was = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        attentions = model(probes, output_attentions=True).attentions  # layers x (n, heads, T, T)
    finally:
        model.set_attn_implementation(was)
    return prefix_scores(attentions, (probes.shape[1] - 1) // 2).tolist()


def _rounded(values, digits: int):
    """Nested lists of floats to `digits` decimals: the JSON stays small, far finer than any interval."""
    return [_rounded(v, digits) for v in values] if isinstance(values, list) else round(values, digits)


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, required=True, help="training steps, e.g. 1000 (the recipe has 2700)")
    parser.add_argument("--out", type=Path, required=True, help="the measurements' JSON file")
    parser.add_argument("--documents", type=int, default=64, help="held-out documents for the in-context score")
    parser.add_argument("--probes", type=int, default=64, help="repeated random-token runs for the head scores")
    parser.add_argument("--keep", default="", help="steps whose model to save, comma-separated, e.g. 100,400")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda to train on a GPU")
    args = parser.parse_args(argv)
    check_device(parser, args.device)
    for flag, value in [("--steps", args.steps), ("--documents", args.documents), ("--probes", args.probes)]:
        if value < 1:
            parser.error(f"{flag} must be a positive whole number; got {value}")
    try:
        args.keep = sorted({int(step) for step in args.keep.split(",") if step.strip()})
    except ValueError:
        parser.error(f"--keep takes step numbers separated by commas, e.g. 100,400; got {args.keep!r}")
    if any(not 0 <= step <= args.steps for step in args.keep):
        parser.error(f"--keep steps must lie between 0 and --steps ({args.steps})")
    args.context, args.eval_batches = 1024, 4
    return args


def main(argv: list[str] | None = None) -> dict:
    from transformers import AutoTokenizer

    args = parse(argv)
    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    documents = evaluation_documents(tokenizer, args.documents, args.seed).to(args.device)
    probes = induction_probes(tokenizer, args.probes, args.seed).to(args.device)
    marks = set(measurement_steps(args.steps)) | set(args.keep)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "recipe": RECIPE,
        "steps": args.steps,
        "schedule_steps": max(STEPS, args.steps),
        "batch_size": args.batch_size,
        "context": args.context,
        "seed": args.seed,
        "early": EARLY,
        "late": LATE,
        "window": WINDOW,
        "run": RUN,
        "measurements": [],
    }

    def watch(done: int, model) -> None:
        if done not in marks:
            return
        model.eval()
        if done in args.keep:
            folder = args.out.parent / f"phase-step-{done}"
            copy.deepcopy(model).to(torch.float16).save_pretrained(folder)  # a copy: the run's weights stay float32
            tokenizer.save_pretrained(folder)
        icl, loss = document_losses(model, documents)
        heads = prefix_matching(model, probes)
        model.train()
        strongest = max(
            (sum(p[layer][head] for p in heads) / len(heads), layer, head)
            for layer in range(len(heads[0]))
            for head in range(len(heads[0][0]))
        )
        result["measurements"].append(
            {"step": done, "icl": _rounded(icl, 5), "loss": _rounded(loss, 5), "heads": _rounded(heads, 4)}
        )
        print(
            f"  measured step {done}: in-context score {sum(icl) / len(icl):+.3f} nats, "
            f"strongest head {strongest[1]}.{strongest[2]} {strongest[0]:.3f}",
            flush=True,
        )
        args.out.write_text(json.dumps(result) + "\n")

    with tempfile.TemporaryDirectory() as scratch:  # the run's final model is not kept; --keep saves the ones asked
        member_args = argparse.Namespace(**{**vars(args), "out": Path(scratch)})
        row = train_member(
            MEMBERS[RECIPE], tokenizer, args.steps, member_args, schedule=result["schedule_steps"], watch=watch
        )
    result["tokens"], result["flops"], result["seconds"] = row["tokens"], row["flops"], row["seconds"]
    result["parameters"] = row["parameters"]
    args.out.write_text(json.dumps(result) + "\n")
    print(f"wrote {args.out}", flush=True)
    return result


if __name__ == "__main__":
    main()
