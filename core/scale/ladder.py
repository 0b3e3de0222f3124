"""A scale ladder: base models of many sizes trained by one recipe on one corpus, so that size is the only change.

    python -m core.scale.ladder --tokens N --out DIR [--members w16-d1,w32-d2] [--context 1024] [--batch-size 8]
                                [--device cpu|cuda] [--seed 0] [--threads 2] [--eval-batches 4]

Every member is the bundled model's Llama-style decoder (`core.prompting.train.model_config`) at another width and
depth, from about 36 k to about 4 M parameters. Each trains from scratch on the same generated documents, with the
bundled tokenizer, the same batches, learning-rate schedule and AdamW as `core.prompting.train`, for
ceil(N / (batch size x context)) steps. Training compute is counted as C = 6 N D (Kaplan et al. 2020), the
measure by which Hoffmann et al. (2022) compare models trained on the same budget.
Each member is saved under DIR/<name>/ (model and tokenizer, loadable with `from_pretrained`), and DIR/ladder.json
gathers per member: parameters, tokens, steps, FLOPs, seconds, final smoothed training loss and held-out loss.
"""

import argparse
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch

from core.prompting.choices import MODEL_DIR
from core.prompting.train import CONTEXT, batch, learning_rate, model_config

EVAL_SEED = 10_000  # held-out batches come from seed EVAL_SEED + seed, a stream no training step draws from


@dataclass(frozen=True)
class Member:
    """One rung: the bundled recipe at one width and depth."""

    name: str
    hidden_size: int  # width
    num_hidden_layers: int  # depth
    num_attention_heads: int  # width / 32: 32 dimensions per head as in the bundled model (16 in the narrowest)
    intermediate_size: int  # about 2.7 x width, as the bundled 432 / 160, rounded to a multiple of 8


# Wider and deeper together, about x2 to x3 in parameters per rung. With a 2048-token vocabulary the embedding
# (2048 x width, tied with the output layer) is most of the smallest members.
LADDER = (
    Member("w16-d1", 16, 1, 1, 40),  # 35,760 parameters
    Member("w32-d2", 32, 2, 1, 88),  # 90,784
    Member("w64-d3", 64, 3, 2, 176),  # 282,048
    Member("w96-d4", 96, 4, 3, 256),  # 639,840
    Member("w128-d4", 128, 4, 4, 344),  # 1,053,824
    Member("w160-d6", 160, 6, 5, 432),  # 2,188,320: the bundled model's shape
    Member("w192-d8", 192, 8, 6, 520),  # 3,972,288
)
MEMBERS = {member.name: member for member in LADDER}


def config_for(member: Member, vocab_size: int, eos_id: int, context: int = CONTEXT):
    """The `LlamaConfig` of `member`: the bundled model's recipe with this member's width and depth."""
    return model_config(
        vocab_size,
        eos_id,
        hidden_size=member.hidden_size,
        intermediate_size=member.intermediate_size,
        num_hidden_layers=member.num_hidden_layers,
        num_attention_heads=member.num_attention_heads,
        context=context,
    )


def count_parameters(model: torch.nn.Module) -> int:
    """N: every trainable number, the tied embedding once (`parameters()` yields a shared tensor once).
    Kaplan et al. leave the embedding out of N; here it stays in, because the tied matrix is also the output
    layer, whose multiply-adds every token pays, and it is most of the smallest members."""
    return sum(p.numel() for p in model.parameters())


def training_flops(n_params: int, tokens: int) -> float:
    """C = 6 N D (Kaplan et al. 2020, section 2.1; Hoffmann et al. 2022): a forward pass costs about 2 FLOPs
    per parameter per token (a multiply and an add), the backward pass twice that."""
    return 6.0 * n_params * tokens


def rows(step: int, seed: int, tokenizer, batch_size: int, context: int) -> torch.Tensor:
    """The tokens of `core.prompting.train.batch` at this step, recut into rows of context + 1 tokens.
    At context = CONTEXT they are exactly that batch."""
    need = batch_size * (context + 1)
    cut = batch(step, seed, tokenizer, math.ceil(need / (CONTEXT + 1)))  # (b, CONTEXT + 1), b * (CONTEXT + 1) >= need
    return cut.flatten()[:need].view(batch_size, context + 1)  # (B, T + 1)


def next_token_loss(model, ids: torch.Tensor, device: str) -> torch.Tensor:
    """Mean cross-entropy of each next token given those before it, in nats; bfloat16 on a GPU as in training."""
    ids = ids.to(device, non_blocking=True)  # (B, T + 1)
    with torch.autocast("cuda", dtype=torch.bfloat16, enabled=device.startswith("cuda")):
        logits = model(ids[:, :-1]).logits  # (B, T, vocab)
    return torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), ids[:, 1:].flatten())


@torch.no_grad()
def held_out_loss(model, tokenizer, seed: int, batch_size: int, context: int, batches: int, device: str) -> float:
    """Mean next-token loss on `batches` fixed evaluation batches, drawn from seed EVAL_SEED + seed."""
    model.eval()
    losses = [
        next_token_loss(model, rows(i, EVAL_SEED + seed, tokenizer, batch_size, context), device).item()
        for i in range(batches)
    ]
    model.train()
    return sum(losses) / len(losses)


def train_member(
    member: Member,
    tokenizer,
    steps: int,
    args: argparse.Namespace,
    schedule: int | None = None,
    watch: Callable[[int, torch.nn.Module], None] | None = None,
) -> dict:
    """Train `member` from scratch for `steps` steps, save it under args.out / member.name, and return its row.
    The learning rate follows a run of `schedule` steps (default `steps`), so a shorter run can be the first
    steps of a longer one; `watch(done, model)` is called with the number of steps done before every step and at the end."""
    schedule = schedule or steps
    from transformers import LlamaForCausalLM

    torch.manual_seed(args.seed)  # the same initial weights whichever members run before this one
    config = config_for(member, len(tokenizer), tokenizer.eos_token_id, args.context)
    model = LlamaForCausalLM(config).to(args.device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=learning_rate(0, schedule), betas=(0.9, 0.95), weight_decay=0.1
    )
    n_params = count_parameters(model)
    tokens = steps * args.batch_size * args.context  # predicted tokens: every position of every row
    print(f"{member.name}: {n_params:,} parameters, {steps} steps, {tokens:,} tokens", flush=True)
    model.train()
    began, smoothed = time.monotonic(), None
    for step in range(steps):
        if watch:
            watch(step, model)
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, schedule)
        loss = next_token_loss(model, rows(step, args.seed, tokenizer, args.batch_size, args.context), args.device)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        smoothed = loss.item() if smoothed is None else 0.95 * smoothed + 0.05 * loss.item()
        if step % 10 == 0 or step == steps - 1:
            elapsed = time.monotonic() - began
            print(f"  step {step} loss {loss.item():.4f} smoothed {smoothed:.4f} {elapsed:.1f} s", flush=True)
    seconds = time.monotonic() - began
    if watch:
        watch(steps, model)
    held_out = held_out_loss(model, tokenizer, args.seed, args.batch_size, args.context, args.eval_batches, args.device)
    print(f"  done in {seconds:.1f} s: smoothed loss {smoothed:.4f}, held-out loss {held_out:.4f}", flush=True)
    model.save_pretrained(args.out / member.name)
    tokenizer.save_pretrained(args.out / member.name)
    return {
        **asdict(member),
        "parameters": n_params,
        "tokens": tokens,
        "steps": steps,
        "flops": training_flops(n_params, tokens),
        "seconds": seconds,
        "train_loss": smoothed,
        "held_out_loss": held_out,
    }


def check_device(parser: argparse.ArgumentParser, device: str) -> None:
    """Refuse a --device that is neither cpu nor a CUDA GPU this machine has, saying what to give instead."""
    if device != "cpu" and not device.startswith("cuda"):
        parser.error(f"--device must be cpu or cuda (cuda:1 for a second GPU); got {device!r}")
    if device.startswith("cuda") and not torch.cuda.is_available():
        parser.error("--device cuda, but PyTorch sees no CUDA GPU here: use --device cpu")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, required=True, help="training tokens per member, e.g. 2000000")
    parser.add_argument("--out", type=Path, required=True, help="folder for the members and ladder.json")
    parser.add_argument("--members", default=",".join(MEMBERS), help="comma-separated names, e.g. w16-d1,w32-d2")
    parser.add_argument("--context", type=int, default=CONTEXT, help="tokens per training row")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda to train on a GPU")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--eval-batches", type=int, default=4, help="fixed held-out batches for the held-out loss")
    args = parser.parse_args(argv)
    for flag, value, example in [
        ("--tokens", args.tokens, "640"),
        ("--context", args.context, "1024"),
        ("--batch-size", args.batch_size, "8"),
        ("--threads", args.threads, "2"),
        ("--eval-batches", args.eval_batches, "4"),
    ]:
        if value < 1:
            parser.error(f"{flag} must be a positive whole number, e.g. {example}; got {value}")
    names = [name.strip() for name in args.members.split(",") if name.strip()]
    unknown = [name for name in names if name not in MEMBERS]
    if unknown or not names:
        parser.error(f"unknown member {', '.join(unknown) or '(none given)'}: choose from {', '.join(MEMBERS)}")
    args.members = [MEMBERS[name] for name in dict.fromkeys(names)]
    check_device(parser, args.device)
    return args


def main(argv: list[str] | None = None) -> dict:
    """Train the chosen members one after the other; ladder.json is rewritten after each, so a stopped run keeps
    the members it finished."""
    from transformers import AutoTokenizer

    args = parse(argv)
    torch.set_num_threads(args.threads)
    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    steps = math.ceil(args.tokens / (args.batch_size * args.context))
    args.out.mkdir(parents=True, exist_ok=True)
    ladder = {
        "tokens_requested": args.tokens,
        "context": args.context,
        "batch_size": args.batch_size,
        "seed": args.seed,
        "eval_batches": args.eval_batches,
        "device": args.device,
        "members": {},
    }
    for member in args.members:
        ladder["members"][member.name] = train_member(member, tokenizer, steps, args)
        (args.out / "ladder.json").write_text(json.dumps(ladder, indent=2) + "\n")
    print(f"wrote {args.out / 'ladder.json'}", flush=True)
    return ladder


if __name__ == "__main__":
    main()
