"""Tokenization: the text becomes tokens and ids, cut to a length the page can draw quickly."""

from dataclasses import dataclass

import torch

from core.attention.models import Transformer

MAX_TOKENS = 96


@dataclass(frozen=True)
class Encoded:
    ids: torch.Tensor  # (1, T) token ids, special tokens included
    tokens: list[str]
    truncated_from: int | None  # the original length when the text was cut, else None

    @property
    def message(self) -> str:
        if self.truncated_from is None:
            return ""
        return f"The input had {self.truncated_from} tokens; only the first {len(self.tokens)} are shown."


def display_token(token: str) -> str:
    """A token as a reader sees it: GPT-2's 'Ġ' and SentencePiece's '▁' shown as a leading space."""
    return token.replace("Ġ", " ").replace("▁", " ").replace("Ċ", "\\n")


def encode(tf: Transformer, text: str, max_tokens: int = MAX_TOKENS) -> Encoded:
    """Token ids of `text` (at most `max_tokens` and the model's position limit, keeping the tokenizer's end token)."""
    if not text or not text.strip():
        raise ValueError("the text is empty: type a sentence such as 'the small red car sees a dog'")
    ids = tf.tokenizer(text, return_tensors="pt")["input_ids"][0]  # (T,)
    n = len(ids)
    max_tokens = min(max_tokens, tf.max_positions or max_tokens)
    truncated_from = None
    if n > max_tokens:
        truncated_from = n
        eos = tf.tokenizer.eos_token_id
        ids = torch.cat([ids[: max_tokens - 1], ids[-1:]]) if eos is not None and ids[-1] == eos else ids[:max_tokens]
    tokens = [display_token(t) for t in tf.tokenizer.convert_ids_to_tokens(ids.tolist())]
    return Encoded(ids=ids[None].to(tf.device), tokens=tokens, truncated_from=truncated_from)
