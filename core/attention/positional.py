"""Positional encoding: the sinusoids of "Attention is all you need" (Vaswani et al. 2017, section 3.5)
next to the scheme a model really uses: a sinusoid table, a learned table, rotary angles (RoPE) or a
relative position bias (T5).

    PE(pos, 2i)   = sin(pos / 10000^(2i / d_model))
    PE(pos, 2i+1) = cos(pos / 10000^(2i / d_model))
"""

from dataclasses import dataclass

import torch

from core.attention.models import Transformer

FORMULA = "PE(pos, 2i) = sin(pos / 10000^(2i/d)),  PE(pos, 2i+1) = cos(pos / 10000^(2i/d))"


def sinusoidal(n_positions: int, d_model: int, interleaved: bool = True) -> torch.Tensor:
    """The (n_positions, d_model) sinusoid table; `interleaved=False` puts all sines first (Marian's layout)."""
    pos = torch.arange(n_positions, dtype=torch.float64)[:, None]  # (T, 1)
    freq = 10000.0 ** (-torch.arange(0, d_model, 2, dtype=torch.float64) / d_model)  # (d/2,)
    angle = pos * freq  # (T, d/2)
    sin, cos = torch.sin(angle), torch.cos(angle)[:, : d_model // 2]
    if interleaved:
        table = torch.zeros(n_positions, d_model, dtype=torch.float64)
        table[:, 0::2], table[:, 1::2] = sin, cos
        return table.float()
    return torch.cat([sin, cos], dim=1).float()


def rotate_half(x: torch.Tensor) -> torch.Tensor:
    x1, x2 = x.chunk(2, dim=-1)
    return torch.cat([-x2, x1], dim=-1)


def apply_rope(x: torch.Tensor, cos: torch.Tensor, sin: torch.Tensor) -> torch.Tensor:
    """Rotate each pair of query/key features by its position's angle (Su et al. 2021). x: (B, nh, T, hs), cos/sin: (B, T, hs)."""
    return x * cos[:, None] + rotate_half(x) * sin[:, None]


def rotary_module(model: torch.nn.Module) -> torch.nn.Module | None:
    return next((m for m in model.modules() if hasattr(m, "inv_freq")), None)


def rope_cos_sin(model: torch.nn.Module, n_positions: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The model's own rotary cos and sin for positions 0..n-1, each (1, T, hs)."""
    rotary = rotary_module(model)
    device = rotary.inv_freq.device
    probe = torch.zeros(1, n_positions, 1, device=device)
    return rotary(probe, torch.arange(n_positions, device=device)[None])


@dataclass(frozen=True)
class Scheme:
    kind: str  # "sinusoidal", "learned", "rotary", "relative" or "none"
    table: torch.Tensor | None  # (T, d) added to the embeddings; (T, hs) rotary cosines; (T, T) relative bias
    note: str


def model_scheme(tf: Transformer, n_positions: int) -> Scheme:
    """How `tf` tells positions apart, as a table for the first `n_positions` positions."""
    model = tf.model
    for name, module in model.named_modules():
        leaf = name.rsplit(".", 1)[-1]
        if leaf in ("embed_positions", "wpe", "position_embeddings") and hasattr(module, "weight"):
            offset = getattr(module, "offset", 0)  # BART keeps two extra rows in front
            table = module.weight[offset : offset + n_positions].detach().float().cpu()  # (T, d)
            if "Sinusoidal" in type(module).__name__:
                return Scheme(
                    "sinusoidal",
                    table,
                    "a fixed sinusoid table added to the embeddings (sines in the first half, cosines in the second)",
                )
            return Scheme("learned", table, "a learned table, one trained vector per position, added to the embeddings")
    if rotary_module(model) is not None:
        cos, _ = rope_cos_sin(model, n_positions)
        return Scheme(
            "rotary",
            cos[0].float().cpu(),
            "rotary (RoPE): queries and keys are rotated by position-dependent angles; nothing is added to the embeddings. Shown: cos(angle) per position and feature",
        )
    bias = next(
        (m for m in model.modules() if hasattr(m, "relative_attention_bias") and m.has_relative_attention_bias), None
    )
    if bias is not None:
        values = bias.compute_bias(n_positions, n_positions, device=tf.device)  # (1, nh, T, T)
        return Scheme(
            "relative",
            values[0, 0].detach().float().cpu(),
            "relative (T5): a learned bias on the attention scores for each query-key distance; shown for head 0 of the first layer",
        )
    return Scheme("none", None, "no positional scheme recognised in this model")
