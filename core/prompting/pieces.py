"""Token pieces: the text of every token of the bundled tokenizer, so that the corpus copies over the whole vocabulary.

A small model trained only on words from fixed lists learns to copy those words; the output rows of tokens it
never writes are pushed down at every step, so a prompt that asks it to copy one (`alpha` is ` al` `p` `ha`)
fails. Runs of random tokens written twice, and answer words and layout markers made of random tokens, make
"find the same token earlier and copy what followed" work for every token (Olsson et al. 2022), while the
held-out answer words and layouts, as wholes, are still never written as answers or layouts.
"""

import functools
import random

from core.prompting.choices import MODEL_DIR
from core.prompting.layouts import HELD_OUT_MARKS


@functools.cache
def pieces() -> tuple[str, ...]:
    """The text of every token of the bundled tokenizer but the end-of-text one, byte fragments left out."""
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(MODEL_DIR / "tokenizer.json"))
    texts = (tokenizer.decode([i]) for i in range(tokenizer.get_vocab_size()))
    return tuple(t for t in texts if t and t.isprintable() and "\ufffd" not in t)


@functools.cache
def word_pieces() -> tuple[str, ...]:
    """Pieces an answer word or a layout marker may be made of: none holds a character of a held-out layout mark or
    of a held-out symbol answer (`#`, `@`, ...), or a line break."""
    from core.prompting.labels import HELD_OUT  # labels draws its words from here

    barred = set("".join(HELD_OUT_MARKS) + "".join(HELD_OUT["symbols"]) + "\n\t\r")
    return tuple(sorted({p.strip() for p in pieces() if p.strip() and not barred & set(p)}))


def piece_run(rng: random.Random, n: int) -> str:
    """n tokens drawn uniformly from the whole vocabulary, as text."""
    return "".join(rng.choices(pieces(), k=n))


def piece_word(rng: random.Random, n: int | None = None) -> str:
    """A word of n random token pieces; by default one or two, e.g. "ck" or "Vmo"."""
    return "".join(rng.choices(word_pieces(), k=rng.choice((1, 1, 2)) if n is None else n))
