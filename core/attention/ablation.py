"""Ablation: silence one attention head (zero its output before the output projection mixes the heads)
and measure how far the next-token distributions move, KL(p_full || p_ablated) per predicted position.
"""

from contextlib import contextmanager
from dataclasses import dataclass

import torch

from core.attention.anatomy import AttentionBlock, blocks_by_stack
from core.attention.extract import run, token_strings, translate_ids
from core.attention.inputs import encode
from core.attention.models import Transformer
from core.runtime import gpu
from core.runtime.validate import whole_number


def stack_blocks(tf: Transformer, stack: str) -> list[AttentionBlock]:
    stacks = blocks_by_stack(tf.blocks)
    if stack not in stacks:
        raise ValueError(f"this model has no {stack} attention: choose one of {', '.join(stacks)}")
    return stacks[stack]


@contextmanager
def head_removed(tf: Transformer, stack: str, layer: int, head: int):
    """While active, head `head` of layer `layer` in `stack` contributes nothing."""
    blocks = stack_blocks(tf, stack)
    block = blocks[whole_number(layer, "layer", 0, len(blocks) - 1)]
    head = whole_number(head, "head", 0, block.n_heads - 1)
    lo, hi = head * block.head_dim, (head + 1) * block.head_dim

    def zero_head(module, args):
        heads = args[0].clone()  # (B, T, nh * hs): the heads' outputs side by side
        heads[..., lo:hi] = 0.0
        return (heads, *args[1:])

    with tf.lock:  # other requests wait rather than run with this head missing
        handle = block.out.register_forward_pre_hook(zero_head)
        try:
            yield
        finally:
            handle.remove()


def kl_divergence(p_logits: torch.Tensor, q_logits: torch.Tensor) -> torch.Tensor:
    """KL(p || q) in nats for each row of two (T, vocab) logit tensors."""
    log_p, log_q = p_logits.float().log_softmax(-1), q_logits.float().log_softmax(-1)
    return (log_p.exp() * (log_p - log_q)).sum(-1)  # (T,)


@dataclass(frozen=True)
class Ablation:
    kl: list[float]  # KL(full || ablated) per predicted position, nats
    positions: list[str]  # the input token at each position
    before: torch.Tensor  # (vocab,) next-token probabilities at the most affected position, full model
    after: torch.Tensor  # (vocab,) the same with the head removed

    @property
    def mean_kl(self) -> float:
        return sum(self.kl) / len(self.kl)

    @property
    def most_affected(self) -> int:
        return max(range(len(self.kl)), key=self.kl.__getitem__)


def _inputs(tf: Transformer, text: str) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The input ids and, for an encoder-decoder, its own greedy translation fed back (teacher forcing),
    so the full and the ablated model predict the same positions."""
    if not tf.has_lm_head:
        raise ValueError("this model is an encoder without an output layer: choose a decoder or an encoder-decoder")
    ids = encode(tf, text).ids
    return ids, translate_ids(tf, ids)[:, :-1] if tf.kind == "encoder-decoder" else None


@gpu(duration=30)
def ablate(tf: Transformer, text: str, stack: str, layer: int, head: int) -> Ablation:
    """Compare the output distributions of the full model and of the model without one head."""
    ids, decoder_ids = _inputs(tf, text)
    full = run(tf, ids, decoder_ids).logits[0]  # (T, vocab)
    with head_removed(tf, stack, layer, head):
        ablated = run(tf, ids, decoder_ids).logits[0]  # (T, vocab)
    kl = kl_divergence(full, ablated)  # (T,)
    worst = int(kl.argmax())
    shown = decoder_ids if decoder_ids is not None else ids
    return Ablation(
        kl=kl.tolist(),
        positions=token_strings(tf, shown[0].tolist()),
        before=full[worst].float().softmax(-1).cpu(),
        after=ablated[worst].float().softmax(-1).cpu(),
    )


@gpu(duration=60)
def kl_per_head(tf: Transformer, text: str, stack: str) -> torch.Tensor:
    """(L, nh) mean KL(full || ablated) when each head of `stack` is removed in turn."""
    ids, decoder_ids = _inputs(tf, text)
    full = run(tf, ids, decoder_ids).logits[0]  # (T, vocab)
    blocks = stack_blocks(tf, stack)
    grid = torch.zeros(len(blocks), blocks[0].n_heads)
    for layer in range(grid.shape[0]):
        for head in range(grid.shape[1]):
            with head_removed(tf, stack, layer, head):
                grid[layer, head] = kl_divergence(full, run(tf, ids, decoder_ids).logits[0]).mean()
    return grid
