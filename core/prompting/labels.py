"""Answer words: what a document writes for its answers, drawn from open pools, and those held out.

A label document's classes ("yes"/"no", or three kinds of word) are written as words drawn for the document,
so only its examples say which word means what (Wei et al. 2023). The trained pools are large and of every
kind: common words, capitalised, two words, numbers 0-99, symbols, made-up words from syllables, and words of
one or two random tokens of the whole vocabulary (`core.prompting.pieces`). Rare classes and many of them is
what makes in-context learning general rather than memorised (Chan et al. 2022). HELD_OUT holds answer words
of the same kinds that `trained_label` can never return (numbers of three digits, symbols no trained one
contains, words and made-up words outside every trained pool), so a model that writes one has read it from
its prompt.
"""

import random

from core.prompting.pieces import piece_word

WORDS = (
    "red", "blue", "green", "black", "white", "pink", "gold", "gray", "brown", "orange",
    "cat", "dog", "fox", "owl", "bee", "cow", "pig", "ant", "bat", "hen", "elk", "yak", "eel", "ram",
    "apple", "pear", "plum", "lime", "fig", "corn", "rice", "bread", "milk", "tea",
    "sun", "moon", "star", "rain", "snow", "wind", "fire", "ice", "rock", "sand",
    "car", "bus", "boat", "ship", "bike", "train", "plane", "road", "door", "box",
    "foo", "bar", "zap", "mox", "top", "low", "up", "down", "left", "right", "big", "small",
    "hot", "cold", "fast", "slow", "old", "new", "soft", "hard", "good", "bad", "on", "off",
    "one", "two", "three", "four", "five", "six", "north", "south", "east", "west",
)  # fmt: skip
SYMBOLS = ("%", "&", "*", "+", "!", "?", "~", "=", "+1", "-1", "**", "!!", "?!", ":)", ":(")
CONSONANTS = "bdfgklmnprstvz"
VOWELS = "aeiou"
PIECE_SHARE = 0.3  # answer words made of random token pieces
LONG_PIECES = (3, 6)  # the random token pieces of a long answer word
RESERVED = ("yes", "no")  # the coin flip's own words: kept for the flipped-label probe
HELD_OUT = {
    "Greek letters": ("alpha", "beta", "gamma", "delta", "omega", "sigma", "kappa", "theta"),
    "symbols": ("#", "@", "$", "^", "##", "@@", "$$", "^^"),
    "numbers": ("101", "256", "404", "512", "777", "900", "365", "128"),
    "capitalised": ("Paris", "Tokyo", "Venus", "Mars", "Oslo", "Cairo", "Rome", "Lima"),
    "two words": ("ice cream", "hot dog", "full moon", "red panda", "sea horse", "blue whale", "new york", "pop art"),
    "made-up": ("wug", "dax", "blicket", "jorqy", "chimwex", "yoxle", "quimby", "thwip"),
}
HELD_OUT_WORDS = frozenset(w.lower() for pool in HELD_OUT.values() for w in pool)
HELD_OUT_PARTS = frozenset(part for w in HELD_OUT_WORDS for part in w.split())


def syllable(rng: random.Random) -> str:
    """A consonant and a vowel from the trained letters."""
    return rng.choice(CONSONANTS) + rng.choice(VOWELS)


def made_up(rng: random.Random) -> str:
    """A pronounceable nonsense word of 1-3 syllables from the trained letters, never a held-out word ("beta")."""
    while True:
        syllables = [syllable(rng) + rng.choice(("", "", rng.choice(CONSONANTS)))]
        syllables += [syllable(rng) for _ in range(rng.randint(0, 2))]
        word = "".join(syllables)
        if word not in HELD_OUT_WORDS:
            return word


def _draw(rng: random.Random) -> str:
    if rng.random() < PIECE_SHARE:
        return piece_word(rng)
    kind = rng.random()
    if kind < 0.3:
        return rng.choice(WORDS)
    if kind < 0.45:
        return rng.choice(WORDS).capitalize()
    if kind < 0.55:
        return f"{rng.choice(WORDS)} {rng.choice(WORDS)}"
    if kind < 0.7:
        return str(rng.randint(0, 99))
    if kind < 0.8:
        return rng.choice(SYMBOLS)
    word = made_up(rng)
    return word.capitalize() if rng.random() < 0.2 else word


def long_label(rng: random.Random) -> str:
    """An answer word of 3-6 random token pieces ("ckVmo4ab"), or a made-up word of 3-5 syllables: written right only
    if every one of its tokens is copied, as a held-out word of 3-6 tokens (`quimby` is ` qu` `im` `b` `y`) is."""
    if rng.random() < 0.5:
        return piece_word(rng, rng.randint(*LONG_PIECES))
    return "".join(syllable(rng) for _ in range(rng.randint(3, 5)))


def allowed(label: str) -> bool:
    """Not a held-out word, nor holding a held-out word, "yes" or "no" as one of its words, nor a three-digit number."""
    parts = label.lower().split()
    three_digits = label.isdigit() and len(label) == 3
    return (
        label.lower() not in HELD_OUT_WORDS and not set(parts) & (HELD_OUT_PARTS | set(RESERVED)) and not three_digits
    )


def trained_label(rng: random.Random, long_share: float = 0.0) -> str:
    """One answer word from the trained pools (a long one, `long_label`, with chance `long_share`), never a held-out
    one, a three-digit number, "yes" or "no"."""
    long = long_share > 0 and rng.random() < long_share  # no draw at 0: the bundled weights' corpus
    while True:
        label = long_label(rng) if long else _draw(rng)
        if allowed(label):
            return label


def clashes(label: str, others: list[str]) -> bool:
    """Whether `label` equals or starts another of `others`, or one of them starts it: a prefix of a prompt's
    answer word must never also answer for another."""
    return any(label.startswith(other) or other.startswith(label) for other in others)


def trained_labels(rng: random.Random, n: int, long_share: float = 0.0) -> list[str]:
    """n different trained answer words, none the start of another; each long (`long_label`) with chance
    `long_share`."""
    labels: list[str] = []
    while len(labels) < n:
        label = trained_label(rng, long_share)
        if not clashes(label, labels):
            labels.append(label)
    return labels


def held_out_labels(rng: random.Random, n: int, kind: str | None = None) -> list[str]:
    """n different held-out answer words, of one kind (a key of HELD_OUT) or mixed."""
    pool = HELD_OUT[kind] if kind else tuple(w for words in HELD_OUT.values() for w in words)
    while True:
        labels = rng.sample(pool, n)
        if not any(clashes(label, labels[:i]) for i, label in enumerate(labels)):
            return labels
