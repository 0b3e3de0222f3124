"""Where the attention blocks of a `transformers` model live: encoder self-attention, decoder
self-attention (causal) and encoder-decoder (cross) attention, each with its query, key and
output projections, so that hooks can read Q and K or silence one head.
"""

from dataclasses import dataclass

from torch import nn

from core.attention.choices import STACKS


@dataclass(frozen=True)
class AttentionBlock:
    """One multi-head attention module; `qkv` is set where Q, K, V come from one fused projection (GPT-2)."""

    name: str
    stack: str  # "encoder", "decoder" or "cross"
    q: nn.Module | None
    k: nn.Module | None
    qkv: nn.Module | None
    out: nn.Module  # its input is the heads' outputs side by side: (B, T, nh * hs)
    n_heads: int
    n_kv_heads: int
    head_dim: int
    family: str  # "gpt2", "rope", "bart", "bert", "t5"


def _config_heads(config, stack: str) -> tuple[int, int]:
    """(query heads, key/value heads) of a stack, from the config's many spellings."""
    if stack == "encoder":
        names = ("encoder_attention_heads", "num_attention_heads", "num_heads", "n_head")
    else:
        names = ("decoder_attention_heads", "num_decoder_heads", "num_attention_heads", "num_heads", "n_head")
    n_heads = next(getattr(config, n) for n in names if getattr(config, n, None))
    n_kv = getattr(config, "num_key_value_heads", None) or n_heads
    return n_heads, n_kv


def _stack_of(name: str, is_encoder_decoder: bool, is_decoder_only: bool) -> str:
    if "encoder_attn" in name or "EncDecAttention" in name or "crossattention" in name:
        return "cross"
    if is_encoder_decoder:
        return "encoder" if name.startswith(("encoder.", "model.encoder.")) else "decoder"
    return "decoder" if is_decoder_only else "encoder"


def _width(linear: nn.Module) -> int:
    """Input width of a Linear or of GPT-2's Conv1D (whose weight is stored transposed)."""
    return linear.in_features if isinstance(linear, nn.Linear) else linear.weight.shape[0]


def attention_blocks(model: nn.Module, is_decoder_only: bool) -> list[AttentionBlock]:
    """Every attention module of `model`, in forward order."""
    config = model.config
    enc_dec = bool(getattr(config, "is_encoder_decoder", False))
    rope = any(hasattr(m, "inv_freq") for m in model.modules())
    blocks = []
    for name, module in model.named_modules():
        found = None
        if hasattr(module, "c_attn") and hasattr(module, "c_proj"):
            found = dict(q=None, k=None, qkv=module.c_attn, out=module.c_proj, family="gpt2")
        elif hasattr(module, "q_proj") and hasattr(module, "k_proj"):
            out = getattr(module, "o_proj", None) or module.out_proj
            found = dict(q=module.q_proj, k=module.k_proj, qkv=None, out=out, family="rope" if rope else "bart")
        elif hasattr(module, "self") and hasattr(module, "output") and hasattr(module.self, "query"):
            found = dict(q=module.self.query, k=module.self.key, qkv=None, out=module.output.dense, family="bert")
        elif all(hasattr(module, a) for a in ("q", "k", "o", "n_heads")):
            found = dict(q=module.q, k=module.k, qkv=None, out=module.o, family="t5")
        if found is None:
            continue
        stack = _stack_of(name, enc_dec, is_decoder_only)
        n_heads, n_kv = _config_heads(config, stack)
        blocks.append(
            AttentionBlock(
                name=name,
                stack=stack,
                n_heads=n_heads,
                n_kv_heads=n_kv,
                head_dim=_width(found["out"]) // n_heads,
                **found,
            )
        )
    if not blocks:
        raise ValueError(
            f"no attention modules recognised in {type(model).__name__}: choose a GPT-2, Llama, BERT, BART/Marian or T5 style model"
        )
    return blocks


def blocks_by_stack(blocks: list[AttentionBlock]) -> dict[str, list[AttentionBlock]]:
    return {s: [b for b in blocks if b.stack == s] for s in STACKS if any(b.stack == s for b in blocks)}
