"""Pre-train the bundled base model: a small GPT-2 on the generated document corpus, next-token prediction.

    python -m core.prompting.train [--steps N] [--resume]

Reproduces `core/prompting/model/` on a 2-core CPU (see the model's README for the time it took).
It first trains the BPE tokenizer on the corpus, then the model. Every `--save-every` steps it
writes the model there and a resumable checkpoint to `--work-dir`; progress goes to `train.log` there.
The learning rate warms up, holds, and decays over the last DECAY share of the steps, so a run
resumed with a different `--steps` before its decay began is the same as a fresh run with that `--steps`.
"""

import argparse
import random
import time
from pathlib import Path

import torch

from core.prompting.choices import MODEL_DIR
from core.prompting.corpus import token_stream
from core.prompting.tokenizer import build as build_tokenizer

CONTEXT = 1024  # tokens the model sees at once: four 12-flip chain-of-thought examples, a question and its chain


def model_config(vocab_size: int, eos_id: int):
    from transformers import GPT2Config

    return GPT2Config(
        vocab_size=vocab_size,
        n_positions=CONTEXT,
        n_embd=160,
        n_layer=6,
        n_head=5,
        resid_pdrop=0.0,  # no dropout: the model is far too small to overfit this corpus
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        bos_token_id=eos_id,
        eos_token_id=eos_id,
        pad_token_id=eos_id,
    )


def batch(step: int, seed: int, tokenizer, batch_size: int) -> torch.Tensor:
    """Rows of CONTEXT + 1 tokens cut from a stream seeded by (seed, step), so a resumed run sees the same data."""
    rng = random.Random(seed * 1_000_003 + step)
    need = batch_size * (CONTEXT + 1)
    ids = token_stream(rng, lambda text: tokenizer(text).input_ids, tokenizer.eos_token_id, need)
    return torch.tensor(ids[:need]).view(batch_size, CONTEXT + 1)  # (B, T + 1)


STEPS = 2700
PEAK = 2e-3
WARMUP = 100
DECAY = 0.2  # share of the steps over which the rate decays linearly to PEAK / 10


def learning_rate(step: int, steps: int) -> float:
    """Warm up, hold the peak, then decay linearly to PEAK / 10 over the last DECAY * steps
    (warmup-stable-decay): the steps before the decay do not depend on `steps`."""
    decay_start = int(steps * (1 - DECAY))
    if step < WARMUP:
        return PEAK * (step + 1) / WARMUP
    if step < decay_start:
        return PEAK
    return PEAK * (1 - 0.9 * (step - decay_start) / (steps - decay_start))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS, help="the run's length, which sets when the decay starts")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--save-every", type=int, default=100)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/lab-lm-train"))
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint in --work-dir")
    args = parser.parse_args(argv)
    if args.steps < WARMUP:
        parser.error(f"--steps must be at least the {WARMUP} warm-up steps")

    from transformers import GPT2LMHeadModel

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    log = (args.work_dir / "train.log").open("a")
    tokenizer = build_tokenizer(args.seed)
    model = GPT2LMHeadModel(model_config(len(tokenizer), tokenizer.eos_token_id))
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=learning_rate(0, args.steps), betas=(0.9, 0.95), weight_decay=0.1
    )
    checkpoint = args.work_dir / "checkpoint.pt"
    start = 0
    if args.resume and checkpoint.exists():
        state = torch.load(checkpoint)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["step"]
    n_params = sum(p.numel() for p in model.parameters())
    print(f"{n_params / 1e6:.2f} M parameters, steps {start}..{args.steps}", file=log, flush=True)

    def save(step: int) -> None:
        model.save_pretrained(args.out)
        tokenizer.save_pretrained(args.out)
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "step": step}, checkpoint)

    model.train()
    began, smoothed = time.monotonic(), None
    for step in range(start, args.steps):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args.steps)
        rows = batch(step, args.seed, tokenizer, args.batch_size)
        logits = model(rows[:, :-1]).logits  # (B, T, vocab)
        loss = torch.nn.functional.cross_entropy(logits.flatten(0, 1), rows[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        smoothed = loss.item() if smoothed is None else 0.95 * smoothed + 0.05 * loss.item()
        if step % 10 == 0 or step == args.steps - 1:
            elapsed = time.monotonic() - began
            print(f"step {step} loss {loss.item():.4f} smoothed {smoothed:.4f} {elapsed:.0f} s", file=log, flush=True)
        if (step + 1) % args.save_every == 0 or step == args.steps - 1:
            save(step + 1)
    print(f"done in {time.monotonic() - began:.0f} s, final smoothed loss {smoothed:.4f}", file=log, flush=True)


if __name__ == "__main__":
    main()
