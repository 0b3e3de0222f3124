"""The output layer, one word at a time: the decoder turns its last position into a distribution over the
vocabulary, softmax(logits / temperature), picks a token (greedy: the most likely; sample: a draw), appends
it and runs again until the end token. Each step keeps the attention of the position that chose the token.
"""

from dataclasses import dataclass

import torch

from core.attention.choices import MODES
from core.attention.extract import model_attentions, run, token_strings
from core.attention.inputs import Encoded, encode
from core.attention.models import Transformer
from core.runtime import gpu, make_generator
from core.runtime.validate import shown

TOP_K = 10
MAX_NEW_TOKENS = 24


@dataclass(frozen=True)
class Step:
    token: str  # the token chosen at this step
    top_tokens: list[str]  # the TOP_K most likely next tokens, most likely first
    top_probs: list[float]
    self_attention: torch.Tensor  # (L, nh, t) what the choosing position looked at among the decoder's tokens
    context: list[str]  # the decoder's tokens it could look at (length t)
    cross_attention: torch.Tensor | None  # (L, nh, S) over the source tokens, encoder-decoder only


@dataclass(frozen=True)
class Decoding:
    source: Encoded
    steps: list[Step]
    text: str  # the generated tokens joined back into text by the tokenizer

    @property
    def tokens(self) -> list[str]:
        return [s.token for s in self.steps]


def check_temperature(temperature: float) -> float:
    t = float(temperature)
    if not 0.05 <= t <= 5.0:
        raise ValueError(
            f"temperature must be between 0.05 and 5, got {shown(temperature)}: 1 is the model's own distribution"
        )
    return t


def _start(tf: Transformer, enc: Encoded) -> torch.Tensor:
    """The decoder's first input: the given text (decoder) or the start token (encoder-decoder)."""
    if tf.kind == "encoder-decoder":
        return torch.tensor([[tf.model.config.decoder_start_token_id]], device=tf.device)  # (1, 1)
    return enc.ids


def _next(tf: Transformer, enc: Encoded, decoder_ids: torch.Tensor, temperature: float):
    """Next-token probabilities (vocab,) and the attention maps of one forward pass."""
    if tf.kind == "encoder-decoder":
        out = run(tf, enc.ids, decoder_ids)
    else:
        out = run(tf, decoder_ids)
    logits = out.logits[0, -1].float()  # (vocab,) the last position predicts the next token
    return (logits / temperature).softmax(-1).cpu(), model_attentions(tf, out)


@gpu(duration=30)
def next_token(tf: Transformer, text: str, temperature: float = 1.0) -> dict[str, float]:
    """The TOP_K most likely next tokens after `text` (for a translator: the first word of the translation)."""
    if not tf.has_lm_head:
        raise ValueError("this model is an encoder without an output layer: choose a decoder or an encoder-decoder")
    enc = encode(tf, text)
    probs, _ = _next(tf, enc, _start(tf, enc), check_temperature(temperature))
    top = probs.topk(TOP_K)
    return dict(zip(token_strings(tf, top.indices.tolist()), top.values.tolist(), strict=True))


@gpu(duration=60)
def decode(
    tf: Transformer,
    text: str,
    temperature: float = 1.0,
    mode: str = "greedy",
    seed: int = 0,
    max_new_tokens: int = MAX_NEW_TOKENS,
) -> Decoding:
    """Generate step by step, keeping each step's distribution and attention."""
    if not tf.has_lm_head:
        raise ValueError("this model is an encoder without an output layer: choose a decoder or an encoder-decoder")
    if mode not in MODES:
        raise ValueError(f"decoding mode must be one of {', '.join(MODES)}, got {shown(mode)}")
    temperature = check_temperature(temperature)
    generator = make_generator(seed)
    enc = encode(tf, text)
    decoder_ids = _start(tf, enc)  # (1, t)
    if tf.max_positions is not None:  # the decoder's position table ends there
        max_new_tokens = min(max_new_tokens, tf.max_positions - decoder_ids.shape[1])
    steps = []
    for _ in range(max_new_tokens):
        probs, maps = _next(tf, enc, decoder_ids, temperature)
        if mode == "greedy":
            choice = int(probs.argmax())
        else:
            choice = int(torch.multinomial(probs, 1, generator=generator))
        top = probs.topk(TOP_K)
        steps.append(
            Step(
                token=token_strings(tf, [choice])[0],
                top_tokens=token_strings(tf, top.indices.tolist()),
                top_probs=top.values.tolist(),
                self_attention=maps["decoder"][:, :, -1],  # (L, nh, t)
                context=token_strings(tf, decoder_ids[0].tolist()),
                cross_attention=maps["cross"][:, :, -1] if "cross" in maps else None,  # (L, nh, S)
            )
        )
        decoder_ids = torch.cat([decoder_ids, torch.tensor([[choice]], device=tf.device)], dim=1)
        if choice == tf.tokenizer.eos_token_id:
            break
    start = enc.ids.shape[1] if tf.kind == "decoder" else 1  # after the prompt, or after the decoder's start token
    text = tf.tokenizer.decode(decoder_ids[0, start:].tolist(), skip_special_tokens=True)
    return Decoding(source=enc, steps=steps, text=text)
