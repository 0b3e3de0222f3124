"""Train the bundled lab model: a small GPT-2 on the generated corpus, next-character prediction.

    python -m core.prompting.train [--resume]

Reproduces `core/prompting/model/` on one CPU core in under an hour. Every `--save-every` steps it
writes the model there and a resumable checkpoint to `--work-dir`; progress goes to `train.log` there.
Training runs in phases (see PHASES); each holds its learning rate, then decays it at its end.
"""

import argparse
import random
import time
from pathlib import Path

import torch

from core.prompting.corpus import token_stream
from core.prompting.sources import MODEL_DIR
from core.prompting.tokenizer import build as build_tokenizer

CONTEXT = 768  # characters the model sees at once


def model_config(vocab_size: int, eos_id: int):
    from transformers import GPT2Config

    return GPT2Config(
        vocab_size=vocab_size,
        n_positions=CONTEXT,
        n_embd=128,
        n_layer=4,
        n_head=4,
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


PHASES = ((3000, 3e-3), (5000, 2e-3), (7000, 2e-3))  # (last step, peak learning rate) of each phase
WARMUP = 50
DECAY = 0.2  # share of a phase's last step over which the rate decays


def learning_rate(step: int) -> float:
    """Warm up, then in each phase hold the peak and decay linearly to peak / 10 from
    (1 - DECAY) * its last step. A phase adds steps without changing the ones before it."""
    end, peak = next((end, peak) for end, peak in PHASES if step < end)
    decay_start = int(end * (1 - DECAY))
    if step < WARMUP:
        return peak * (step + 1) / WARMUP
    if step < decay_start:
        return peak
    return peak * (1 - 0.9 * (step - decay_start) / (end - decay_start))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=PHASES[-1][0], help="stop after this step")
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--save-every", type=int, default=100)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/lab-lm-train"))
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint in --work-dir")
    args = parser.parse_args(argv)
    if not 1 <= args.steps <= PHASES[-1][0]:
        parser.error(f"--steps must be from 1 to {PHASES[-1][0]}, the last step of the last phase")

    from transformers import GPT2LMHeadModel

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    log = (args.work_dir / "train.log").open("a")
    tokenizer = build_tokenizer()
    model = GPT2LMHeadModel(model_config(len(tokenizer), tokenizer.eos_token_id))
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate(0), betas=(0.9, 0.95), weight_decay=0.1)
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
            group["lr"] = learning_rate(step)
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
