"""Attention weights, read two ways: from the model (`output_attentions=True`) and recomputed by us
from the queries and keys that hooks capture, softmax(Q Kᵀ / √d_head + mask) (Vaswani et al. 2017, eq. 1).
The two must agree; the causal mask makes every weight above a decoder's diagonal zero.
"""

from dataclasses import dataclass

import torch

from core.attention.anatomy import AttentionBlock, blocks_by_stack
from core.attention.choices import MAX_TARGET_TOKENS
from core.attention.inputs import Encoded, display_token, encode
from core.attention.models import Transformer
from core.attention.positional import apply_rope, rope_cos_sin
from core.runtime import gpu


@torch.no_grad()
def run(tf: Transformer, ids: torch.Tensor, decoder_ids: torch.Tensor | None = None):
    """One forward pass returning attentions, without a cache (every position is recomputed)."""
    kwargs = {"output_attentions": True}
    if tf.kind == "encoder-decoder":
        kwargs.update(decoder_input_ids=decoder_ids, use_cache=False)
    elif tf.kind == "decoder":
        kwargs["use_cache"] = False
    with tf.lock:  # no other request's hook is attached while this pass runs
        return tf.model(input_ids=ids, **kwargs)


def model_attentions(tf: Transformer, out) -> dict[str, torch.Tensor]:
    """stack -> (L, nh, Tq, Tk) attention weights as the model reports them."""
    if tf.kind == "encoder-decoder":
        per_stack = {
            "encoder": out.encoder_attentions,
            "decoder": out.decoder_attentions,
            "cross": out.cross_attentions,
        }
    else:
        per_stack = {"decoder" if tf.kind == "decoder" else "encoder": out.attentions}
    return {s: torch.cat(layers, dim=0).float().cpu() for s, layers in per_stack.items()}  # each layer (1, nh, Tq, Tk)


def _heads(x: torch.Tensor, n_heads: int, head_dim: int) -> torch.Tensor:
    B, T, _ = x.shape
    return x.view(B, T, n_heads, head_dim).transpose(1, 2)  # (B, nh, T, hs)


def _queries_keys(block: AttentionBlock, seen: dict[int, torch.Tensor]) -> tuple[torch.Tensor, torch.Tensor]:
    if block.qkv is not None:  # GPT-2: one projection gives Q, K and V side by side
        q, k, _ = seen[id(block.qkv)].split(block.n_heads * block.head_dim, dim=2)
    else:
        q, k = seen[id(block.q)], seen[id(block.k)]
    q = _heads(q, block.n_heads, block.head_dim)  # (B, nh, Tq, hs)
    k = _heads(k, block.n_kv_heads, block.head_dim)  # (B, nkv, Tk, hs)
    return q, k.repeat_interleave(block.n_heads // block.n_kv_heads, dim=1)  # grouped-query keys shared by heads


@torch.no_grad()
def recompute_attentions(
    tf: Transformer, ids: torch.Tensor, decoder_ids: torch.Tensor | None = None
) -> dict[str, torch.Tensor]:
    """stack -> (L, nh, Tq, Tk): our own softmax(Q Kᵀ · scale + mask) from hooked Q and K."""
    if any(b.family == "t5" for b in tf.blocks):
        raise ValueError(
            "T5 adds a learned relative-position bias inside attention: recomputation covers GPT-2, Llama, BERT and BART/Marian models"
        )
    seen: dict[int, torch.Tensor] = {}
    projections = {m for b in tf.blocks for m in (b.q, b.k, b.qkv) if m is not None}
    with tf.lock:
        hooks = [m.register_forward_hook(lambda mod, args, out: seen.__setitem__(id(mod), out)) for m in projections]
        try:
            run(tf, ids, decoder_ids)
        finally:
            for h in hooks:
                h.remove()
    result = {}
    for stack, blocks in blocks_by_stack(tf.blocks).items():
        layers = []
        for block in blocks:
            q, k = _queries_keys(block, seen)
            if block.family == "rope":
                q = apply_rope(q, *rope_cos_sin(tf.model, q.shape[2]))
                k = apply_rope(k, *rope_cos_sin(tf.model, k.shape[2]))
            scores = (q @ k.transpose(-2, -1)).float() * block.head_dim**-0.5  # (B, nh, Tq, Tk)
            if stack == "decoder":
                Tq, Tk = scores.shape[-2:]
                causal = torch.ones(Tq, Tk, dtype=torch.bool, device=scores.device).tril()
                scores = scores.masked_fill(~causal, float("-inf"))  # a token never sees the future
            layers.append(scores.softmax(dim=-1))
        result[stack] = torch.cat(layers, dim=0).cpu()  # (L, nh, Tq, Tk)
    return result


@dataclass(frozen=True)
class AttentionView:
    """Everything the attention page draws for one input."""

    source: Encoded | None  # the encoder's input (encoder and encoder-decoder models)
    target_tokens: list[str]  # the decoder's input tokens (decoder and encoder-decoder models)
    output_tokens: list[str]  # encoder-decoder: the token each decoder position produced
    maps: dict[str, torch.Tensor]  # stack -> (L, nh, Tq, Tk)
    ids: dict[str, list[int]]  # "source" / "target" token ids
    recomputation_error: float | None  # max |ours - model's| over every weight, None where not recomputed
    message: str
    translation: str  # the encoder-decoder's output as text, empty for other models

    def query_tokens(self, stack: str) -> list[str]:
        """Row labels; a cross-attention row is labelled by the word it produced."""
        return {"encoder": self.source.tokens if self.source else [], "cross": self.output_tokens}.get(
            stack, self.target_tokens
        )

    def key_tokens(self, stack: str) -> list[str]:
        return self.target_tokens if stack == "decoder" else self.source.tokens

    def query_ids(self, stack: str) -> list[int]:
        return self.ids["source"] if stack == "encoder" else self.ids["target"]

    def key_ids(self, stack: str) -> list[int]:
        return self.ids["target"] if stack == "decoder" else self.ids["source"]


def token_strings(tf: Transformer, ids: list[int]) -> list[str]:
    return [display_token(t) for t in tf.tokenizer.convert_ids_to_tokens(ids)]


def translate_ids(tf: Transformer, ids: torch.Tensor) -> torch.Tensor:
    """Greedy decoder ids for an encoder-decoder: (1, n) from the start token to the end token."""
    with torch.no_grad(), tf.lock:
        return tf.model.generate(input_ids=ids, max_new_tokens=MAX_TARGET_TOKENS, do_sample=False, num_beams=1)


@gpu(duration=30)
def attention_view(tf: Transformer, text: str) -> AttentionView:
    """Run `text` through `tf` and collect every attention map; an encoder-decoder first translates it."""
    enc = encode(tf, text)
    decoder_ids, targets, outputs = None, [], []
    if tf.kind == "encoder-decoder":
        generated = translate_ids(tf, enc.ids)  # (1, n): start, y1 .. yn (end token included when reached)
        decoder_ids = generated[:, :-1]  # position t reads y1 .. yt and produces y(t+1)
        targets, outputs = decoder_ids[0].tolist(), generated[0, 1:].tolist()
    elif tf.kind == "decoder":
        targets = enc.ids[0].tolist()
    maps = model_attentions(tf, run(tf, enc.ids, decoder_ids))
    try:
        ours = recompute_attentions(tf, enc.ids, decoder_ids)
        error = max((ours[s] - maps[s]).abs().max().item() for s in maps)
    except ValueError:
        error = None
    return AttentionView(
        source=enc if tf.kind != "decoder" else None,
        target_tokens=token_strings(tf, targets),
        output_tokens=token_strings(tf, outputs),
        maps=maps,
        ids={"source": enc.ids[0].tolist() if tf.kind != "decoder" else [], "target": targets},
        recomputation_error=error,
        message=enc.message,
        translation=tf.tokenizer.decode(outputs, skip_special_tokens=True),
    )
