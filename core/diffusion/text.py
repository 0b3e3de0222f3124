"""The text side of text-to-image, as in Stable Diffusion at toy scale: a tokenizer and a CLIP text encoder.

The tokenizer is word-level (`tokenizers.models.WordLevel`) over the captions' vocabulary, wrapped in
`transformers.PreTrainedTokenizerFast`; the encoder is `transformers.CLIPTextModel` with a tiny config. Its
per-token hidden states are what the UNet's cross-attention layers read.
"""

import re

from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers
from tokenizers.models import WordLevel
from tokenizers.processors import TemplateProcessing
from transformers import CLIPTextConfig, CLIPTextModel, PreTrainedTokenizerFast

from core.diffusion.shapes import vocabulary
from core.runtime import validate

PAD, UNK, BOS, EOS = "<pad>", "<unk>", "<bos>", "<eos>"
MAX_TOKENS = 16  # caption length the encoder sees, <bos> and <eos> included
MAX_PROMPT_CHARS = 200
SYNONYMS = {"center": "centre", "an": "a"}  # spellings the tokenizer maps onto training words


def build_tokenizer() -> PreTrainedTokenizerFast:
    """A word-level tokenizer: lower-case, split on whitespace and punctuation, synonyms mapped, <bos> w1 ... <eos>."""
    words = [PAD, UNK, BOS, EOS, *vocabulary()]
    tok = Tokenizer(WordLevel({w: i for i, w in enumerate(words)}, unk_token=UNK))
    tok.normalizer = normalizers.Sequence(
        [normalizers.Lowercase(), normalizers.Replace(Regex(r"[^\w\s]"), " ")]  # punctuation is dropped
        + [normalizers.Replace(Regex(rf"\b{a}\b"), b) for a, b in SYNONYMS.items()]
    )
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token=PAD, unk_token=UNK, bos_token=BOS, eos_token=EOS, model_max_length=MAX_TOKENS
    )
    fast._tokenizer.post_processor = _bos_eos(fast)
    return fast


def _bos_eos(fast: PreTrainedTokenizerFast) -> TemplateProcessing:
    return TemplateProcessing(
        single=f"{BOS} $A {EOS}", special_tokens=[(BOS, fast.bos_token_id), (EOS, fast.eos_token_id)]
    )


def text_encoder_config(vocab_size: int, bos: int, eos: int, pad: int) -> CLIPTextConfig:
    """A CLIP text transformer small enough to train on a laptop: 2 layers, width 64, 4 heads."""
    return CLIPTextConfig(
        vocab_size=vocab_size,
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=MAX_TOKENS,
        bos_token_id=bos,
        eos_token_id=eos,
        pad_token_id=pad,
    )


def build_text_encoder(tokenizer: PreTrainedTokenizerFast) -> CLIPTextModel:
    config = text_encoder_config(len(tokenizer), tokenizer.bos_token_id, tokenizer.eos_token_id, tokenizer.pad_token_id)
    return CLIPTextModel(config)


def unknown_words(tokenizer: PreTrainedTokenizerFast, prompt: str) -> list[str]:
    """The words of `prompt` (lower-cased, punctuation dropped) that the tokenizer maps to <unk>, without repeats."""
    backend = tokenizer.backend_tokenizer
    words = [w for w, _ in backend.pre_tokenizer.pre_tokenize_str(backend.normalizer.normalize_str(prompt))]
    vocab = tokenizer.get_vocab()
    return list(dict.fromkeys(w for w in words if w not in vocab))


def check_prompt(prompt: object, max_chars: int = MAX_PROMPT_CHARS) -> str:
    """The prompt, stripped, or a ValueError that says how to fix it (empty, too long, not text)."""
    text = re.sub(r"\s+", " ", prompt) if isinstance(prompt, str) else prompt
    return validate.text(text, "prompt", max_chars=max_chars, example="a small red circle on the left")
