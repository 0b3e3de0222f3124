"""A byte-level BPE tokenizer (GPT-2's scheme) trained with `tokenizers` on the pre-training corpus.

Frequent words and small numbers (0-58 in the bundled one) become single tokens, so a worked example
is several times shorter than in characters, and any text can still be encoded byte by byte. Saved in Hugging Face
format next to the model, so `AutoTokenizer.from_pretrained` loads it like any hub tokenizer.
"""

import random
import string

EOS = "<|endoftext|>"
VOCAB_SIZE = 2048
TRAINING_DOCUMENTS = 20_000


def train(documents, vocab_size: int = VOCAB_SIZE):
    """A `PreTrainedTokenizerFast` whose merges are learned from `documents` (an iterable of str)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(documents, trainer=trainer)
    return PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token=EOS, bos_token=EOS, pad_token=EOS, unk_token=EOS, padding_side="left"
    )


def build(seed: int = 0):
    """The tokenizer of the bundled model: BPE trained on TRAINING_DOCUMENTS corpus documents from `seed`."""
    from core.prompting.corpus import document

    rng = random.Random(seed)
    return train(document(rng) for _ in range(TRAINING_DOCUMENTS))


def describe(chars: list[str]) -> str:
    """Characters (or words) for an error message, with the code point of a character outside ASCII."""
    return ", ".join(f"{c!r} (U+{ord(c):04X})" if len(c) == 1 and c not in string.printable else repr(c) for c in chars)
