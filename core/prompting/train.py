"""Pre-train the bundled base model: a small Llama-style decoder on the generated document corpus, next-token prediction.

    python -m core.prompting.train [--steps N] [--resume] [--init DIR] [--device cuda --batch-size 64 --workers 14]

Reproduces `core/prompting/model/` (its README gives the command and the time it took). The same code
runs on a 2-core CPU (the defaults) or on a GPU, where data workers generate the documents and the
forward pass runs in bfloat16.
It first trains the BPE tokenizer on the corpus, then the model; with `--init DIR` it starts instead from
the tokenizer and weights saved in DIR (continued pre-training on the current corpus). Every `--save-every` steps it
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
from core.prompting.corpus import BUNDLED, CHAINS, MARKERS, OPENINGS, VALUES, WORDINGS, Recipe, token_stream
from core.prompting.tokenizer import build as build_tokenizer

CONTEXT = 1024  # tokens the model sees at once: four 12-flip chain-of-thought examples, a question and its chain


def model_config(
    vocab_size: int,
    eos_id: int,
    hidden_size: int = 160,
    intermediate_size: int = 432,  # SwiGLU's three matrices hold as many weights as a 4x two-matrix MLP
    num_hidden_layers: int = 6,
    num_attention_heads: int = 5,  # 32 dimensions per head
    context: int = CONTEXT,
):
    """A Llama-style decoder (rotary positions, RMSNorm, SwiGLU). Rotary positions make "attend to the token
    before me" the same query at every position, so the previous-token heads that induction heads build on
    (Olsson et al. 2022) need not be learned once per absolute position. The defaults are the bundled model's
    shape; `core.scale.ladder` builds other widths and depths with the same recipe."""
    from transformers import LlamaConfig

    return LlamaConfig(
        vocab_size=vocab_size,
        max_position_embeddings=context,
        hidden_size=hidden_size,
        intermediate_size=intermediate_size,
        num_hidden_layers=num_hidden_layers,
        num_attention_heads=num_attention_heads,
        num_key_value_heads=num_attention_heads,
        attention_dropout=0.0,  # no dropout: the model is far too small to overfit this corpus
        tie_word_embeddings=True,
        bos_token_id=eos_id,
        eos_token_id=eos_id,
        pad_token_id=eos_id,
    )


def batch(step: int, seed: int, tokenizer, batch_size: int, recipe: Recipe = BUNDLED) -> torch.Tensor:
    """Rows of CONTEXT + 1 tokens cut from a stream seeded by (seed, step), so a resumed run sees the same data."""
    rng = random.Random(seed * 1_000_003 + step)
    need = batch_size * (CONTEXT + 1)
    ids = token_stream(rng, lambda text: tokenizer(text).input_ids, tokenizer.eos_token_id, need, recipe)
    return torch.tensor(ids[:need]).view(batch_size, CONTEXT + 1)  # (B, T + 1)


class Batches(torch.utils.data.Dataset):
    """The batch of each step, so DataLoader workers can generate them ahead of the model."""

    def __init__(self, steps: range, seed: int, tokenizer, batch_size: int, recipe: Recipe = BUNDLED):
        self.steps, self.seed, self.tokenizer, self.batch_size, self.recipe = steps, seed, tokenizer, batch_size, recipe

    def __len__(self) -> int:
        return len(self.steps)

    def __getitem__(self, i: int) -> torch.Tensor:
        return batch(self.steps[i], self.seed, self.tokenizer, self.batch_size, self.recipe)


STEPS = 2700
PEAK = 2e-3
WARMUP = 100
DECAY = 0.2  # share of the steps over which the rate decays linearly to PEAK / 10


def learning_rate(step: int, steps: int, peak: float = PEAK) -> float:
    """Warm up, hold the peak, then decay linearly to peak / 10 over the last DECAY * steps
    (warmup-stable-decay): the steps before the decay do not depend on `steps`."""
    decay_start = int(steps * (1 - DECAY))
    if step < WARMUP:
        return peak * (step + 1) / WARMUP
    if step < decay_start:
        return peak
    return peak * (1 - 0.9 * (step - decay_start) / (steps - decay_start))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=STEPS, help="the run's length, which sets when the decay starts")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--device", default="cpu", help="cpu, or cuda to train on a GPU")
    parser.add_argument("--workers", type=int, default=0, help="processes that generate batches ahead of the model")
    parser.add_argument("--save-every", type=int, default=100)
    parser.add_argument("--out", type=Path, default=MODEL_DIR)
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/lab-lm-train"))
    parser.add_argument("--resume", action="store_true", help="continue from the checkpoint in --work-dir")
    parser.add_argument("--init", type=Path, help="start from the tokenizer and weights saved in this folder")
    parser.add_argument("--peak", type=float, default=PEAK, help="the learning rate after warm-up")
    parser.add_argument(
        "--wordings",
        choices=tuple(WORDINGS),
        default="trained",
        help="how worked-item documents in neither the canonical nor an invented wording say their sentences: "
        "the trained slots (the bundled weights' corpus), with filler words put in (core.prompting.wordings), or "
        "composed paraphrases (the families' PARAPHRASE_SLOTS)",
    )
    parser.add_argument(
        "--chains",
        choices=tuple(CHAINS),
        default="plain",
        help="how many reasoning documents open each step with the sentence it reads "
        '("Ka flips it: flips, tails."): none (the bundled weights\' corpus), half or all',
    )
    parser.add_argument(
        "--values",
        choices=tuple(VALUES),
        default="short",
        help="the answer words of mapping documents: from the trained pools (the bundled weights' corpus), or half "
        "of them long (3-10 tokens, core.prompting.labels.long_label)",
    )
    parser.add_argument(
        "--markers",
        choices=tuple(MARKERS),
        default="trained",
        help='the styles of drawn layouts\' marker words: "Q:", "(Q)", "*Q*", ... (the bundled weights\' corpus), '
        'or those and more pairs of characters around the word ("{Q}", "«Q»", "/Q/", ...)',
    )
    parser.add_argument(
        "--openings",
        choices=tuple(OPENINGS),
        default="any",
        help="how a reasoning document says that its answers reason: not at all (the bundled weights' corpus), by "
        'opening its first answer with "Let\'s think step by step.", or by a line before its first question ("Show '
        'your work."), so that a question alone is answered at once',
    )
    args = parser.parse_args(argv)
    if args.steps < WARMUP:
        parser.error(f"--steps must be at least the {WARMUP} warm-up steps")

    from transformers import LlamaForCausalLM

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    args.work_dir.mkdir(parents=True, exist_ok=True)
    log = (args.work_dir / "train.log").open("a")
    if args.init:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(args.init)
        model = LlamaForCausalLM.from_pretrained(args.init).to(args.device)
    else:
        tokenizer = build_tokenizer(args.seed)
        model = LlamaForCausalLM(model_config(len(tokenizer), tokenizer.eos_token_id)).to(args.device)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=learning_rate(0, args.steps, args.peak), betas=(0.9, 0.95), weight_decay=0.1
    )
    checkpoint = args.work_dir / "checkpoint.pt"
    start = 0
    if args.resume and checkpoint.exists():
        state = torch.load(checkpoint, map_location=args.device)
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
    batches = torch.utils.data.DataLoader(
        Batches(
            range(start, args.steps),
            args.seed,
            tokenizer,
            args.batch_size,
            Recipe(args.wordings, args.chains, args.values, args.markers, args.openings),
        ),
        batch_size=None,
        num_workers=args.workers,
        prefetch_factor=4 if args.workers else None,
    )
    half = torch.autocast("cuda", dtype=torch.bfloat16, enabled=args.device.startswith("cuda"))
    began, smoothed = time.monotonic(), None
    for step, rows in zip(range(start, args.steps), batches, strict=True):
        for group in optimizer.param_groups:
            group["lr"] = learning_rate(step, args.steps, args.peak)
        rows = rows.to(args.device, non_blocking=True)  # (B, T + 1)
        with half:
            logits = model(rows[:, :-1]).logits  # (B, T, vocab)
        loss = torch.nn.functional.cross_entropy(logits.float().flatten(0, 1), rows[:, 1:].flatten())
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        smoothed = loss.item() if smoothed is None else 0.95 * smoothed + 0.05 * loss.item()
        if step % 10 == 0 or step == args.steps - 1:
            elapsed = time.monotonic() - began
            print(f"step {step} loss {loss.item():.4f} smoothed {smoothed:.4f} {elapsed:.1f} s", file=log, flush=True)
        if (step + 1) % args.save_every == 0 or step == args.steps - 1:
            save(step + 1)
    print(f"done in {time.monotonic() - began:.0f} s, final smoothed loss {smoothed:.4f}", file=log, flush=True)


if __name__ == "__main__":
    main()
