"""Tokenization: the text becomes tokens and ids, cut to a length the page can draw quickly."""

from dataclasses import dataclass

import torch

from core.attention.models import Transformer
from core.runtime.limits import check_text_fits

MAX_TOKENS = 96


@dataclass(frozen=True)
class Encoded:
    ids: torch.Tensor  # (1, T) token ids, special tokens included
    tokens: list[str]
    truncated_from: int | None  # the original length when the text was cut, else None
    unknown: tuple[str, ...] = ()  # words of the text outside the vocabulary, each read as the unknown token

    @property
    def message(self) -> str:
        notes = []
        if self.unknown:
            words = ", ".join(f"'{w}'" for w in self.unknown)
            notes.append(
                f"The model does not know {'these words' if len(self.unknown) > 1 else 'the word'}: {words}. "
                "It reads each one as the same unknown token, <unk>, so its output cannot depend on them."
            )
        if self.truncated_from is not None:
            notes.append(f"The input had {self.truncated_from} tokens; only the first {len(self.tokens)} are shown.")
        return " ".join(notes)


def display_token(token: str) -> str:
    """A token as a reader sees it: GPT-2's 'Ġ' and SentencePiece's '▁' shown as a leading space."""
    return token.replace("Ġ", " ").replace("▁", " ").replace("Ċ", "\\n")


def encode(tf: Transformer, text: str, max_tokens: int = MAX_TOKENS) -> Encoded:
    """Token ids of `text` (at most `max_tokens` and the model's position limit, keeping the tokenizer's end token)."""
    if not text or not text.strip():
        raise ValueError("the text is empty: type a sentence such as 'the small red car sees a dog'")
    check_text_fits(text, "the text", tf.tokenizer, max_tokens, "type a sentence or a short paragraph")
    encoded = tf.tokenizer(text, return_tensors="pt", return_offsets_mapping=tf.tokenizer.is_fast)
    ids = encoded["input_ids"][0]  # (T,)
    unknown = _unknown_words(text, ids, encoded.get("offset_mapping"), tf.tokenizer.unk_token_id)
    n = len(ids)
    max_tokens = min(max_tokens, tf.max_positions or max_tokens)
    truncated_from = None
    if n > max_tokens:
        truncated_from = n
        eos = tf.tokenizer.eos_token_id
        ids = torch.cat([ids[: max_tokens - 1], ids[-1:]]) if eos is not None and ids[-1] == eos else ids[:max_tokens]
    tokens = [display_token(t) for t in tf.tokenizer.convert_ids_to_tokens(ids.tolist())]
    return Encoded(ids=ids[None].to(tf.device), tokens=tokens, truncated_from=truncated_from, unknown=unknown)


def _unknown_words(text: str, ids: torch.Tensor, offsets: torch.Tensor | None, unk_id: int | None) -> tuple[str, ...]:
    """The stretches of `text` that the tokenizer turned into its unknown token, each once, in order."""
    if unk_id is None or offsets is None:
        return ()
    spans = offsets[0][ids == unk_id].tolist()  # (K, 2) character offsets
    return tuple(dict.fromkeys(text[a:b] for a, b in spans if b > a))
