"""A character-level tokenizer: one token per character, so a word's last letter and a number's
digits are each visible to the model. Built with `tokenizers`, saved in Hugging Face format."""

import string

EOS = "<|endoftext|>"
UNK = "<unk>"
ALPHABET = "\n" + "".join(chr(c) for c in range(32, 127)) + "³"


def build(alphabet: str = ALPHABET):
    """A `PreTrainedTokenizerFast` whose vocabulary is the special tokens followed by `alphabet`."""
    from tokenizers import Tokenizer, decoders, models
    from transformers import PreTrainedTokenizerFast

    vocab = {EOS: 0, UNK: 1} | {ch: i + 2 for i, ch in enumerate(alphabet)}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=UNK))
    core.decoder = decoders.Fuse()
    return PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token=EOS, bos_token=EOS, pad_token=EOS, unk_token=UNK, padding_side="left"
    )


def describe(chars: list[str]) -> str:
    """Characters (or words) for an error message, with the code point of a character outside ASCII."""
    return ", ".join(f"{c!r} (U+{ord(c):04X})" if len(c) == 1 and c not in string.printable else repr(c) for c in chars)
