"""Train the bundled encoder-decoder translator on the toy language pair (Vaswani et al. 2017, a tiny Marian).

`python -m core.attention.train_translation` rebuilds `core/attention/translator/` from scratch
in a few minutes on one CPU core and prints the held-out exact-match accuracy.
"""

import argparse
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer, models, pre_tokenizers, processors
from transformers import MarianConfig, MarianMTModel, PreTrainedTokenizerFast

from core.attention.choices import MAX_TARGET_TOKENS
from core.attention.toy_translation import Pair, make_splits, vocabulary

TRANSLATOR_DIR = Path(__file__).resolve().parent / "translator"
PAD, EOS, UNK = "<pad>", "</s>", "<unk>"


def build_tokenizer() -> PreTrainedTokenizerFast:
    """One word-level vocabulary for both languages; every sequence ends with </s>."""
    vocab = {tok: i for i, tok in enumerate([PAD, EOS, UNK, *vocabulary()])}
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token=UNK))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(single=f"$A {EOS}", special_tokens=[(EOS, vocab[EOS])])
    return PreTrainedTokenizerFast(tokenizer_object=tok, pad_token=PAD, eos_token=EOS, unk_token=UNK)


def build_model(
    tokenizer: PreTrainedTokenizerFast, d_model: int = 96, layers: int = 2, heads: int = 4
) -> MarianMTModel:
    """A small Marian transformer: sinusoidal positions, shared embeddings, decoding starts from <pad>."""
    config = MarianConfig(
        vocab_size=len(tokenizer),
        decoder_vocab_size=len(tokenizer),
        d_model=d_model,
        encoder_layers=layers,
        decoder_layers=layers,
        encoder_attention_heads=heads,
        decoder_attention_heads=heads,
        encoder_ffn_dim=4 * d_model,
        decoder_ffn_dim=4 * d_model,
        max_position_embeddings=64,
        dropout=0.1,
        scale_embedding=True,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.eos_token_id,
        forced_eos_token_id=tokenizer.eos_token_id,
        decoder_start_token_id=tokenizer.pad_token_id,
        max_length=MAX_TARGET_TOKENS,
        num_beams=1,
    )
    return MarianMTModel(config)


def encode_batch(tokenizer: PreTrainedTokenizerFast, pairs: list[Pair]) -> dict[str, torch.Tensor]:
    batch = tokenizer(
        [p.source for p in pairs], text_target=[p.target for p in pairs], padding=True, return_tensors="pt"
    )
    batch["labels"][batch["labels"] == tokenizer.pad_token_id] = -100  # padding is not predicted
    return batch


@torch.no_grad()
def translate(model: MarianMTModel, tokenizer: PreTrainedTokenizerFast, sources: list[str]) -> list[str]:
    """Greedy translations of `sources`."""
    model.eval()
    enc = tokenizer(sources, padding=True, return_tensors="pt")
    out = model.generate(**enc, max_new_tokens=MAX_TARGET_TOKENS, num_beams=1, do_sample=False)
    return tokenizer.batch_decode(out, skip_special_tokens=True)


def exact_match(model: MarianMTModel, tokenizer: PreTrainedTokenizerFast, pairs: list[Pair]) -> float:
    """Fraction of pairs translated word for word correctly."""
    hits = 0
    for i in range(0, len(pairs), 256):
        chunk = pairs[i : i + 256]
        hits += sum(
            h.split() == p.target.split()
            for h, p in zip(translate(model, tokenizer, [p.source for p in chunk]), chunk, strict=True)
        )
    return hits / len(pairs)


def train(steps: int, batch_size: int, lr: float, seed: int, out_dir: Path) -> float:
    torch.manual_seed(seed)
    train_pairs, test_pairs = make_splits(n_train=30_000, n_test=1_000, seed=seed)
    tokenizer = build_tokenizer()
    model = build_model(tokenizer)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warmup = steps // 20
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, max(0.05, (steps - s) / (steps - warmup)))
    )
    gen = torch.Generator().manual_seed(seed)
    start = time.time()
    for step in range(steps):
        model.train()
        idx = torch.randint(len(train_pairs), (batch_size,), generator=gen).tolist()
        loss = model(**encode_batch(tokenizer, [train_pairs[i] for i in idx])).loss
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 250 == 0 or step == steps - 1:
            print(f"step {step:5d}  loss {loss.item():.4f}  {time.time() - start:6.0f} s", flush=True)
    accuracy = exact_match(model, tokenizer, test_pairs)
    print(f"held-out exact match: {accuracy:.3f} on {len(test_pairs)} unseen sentences", flush=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return accuracy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--steps", type=int, default=4000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, default=TRANSLATOR_DIR)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    train(args.steps, args.batch_size, args.lr, args.seed, args.out)


if __name__ == "__main__":
    main()
