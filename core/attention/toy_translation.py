"""A toy English -> French-like language pair whose word alignment is known exactly.

Colour adjectives move after the noun ("the red car" -> "la voiture rouge"), articles and
adjectives agree with the noun's gender and number, and the verb agrees with the subject, so a
translator must both reorder and look back at the source to agree. Every target word records the
source word it translates, which is what cross-attention should find.
"""

import random
from dataclasses import dataclass

# noun: (singular, plural, gender) on each side
NOUNS = {
    "car": ("voiture", "voitures", "f"),
    "dog": ("chien", "chiens", "m"),
    "cat": ("chat", "chats", "m"),
    "house": ("maison", "maisons", "f"),
    "bird": ("oiseau", "oiseaux", "m"),
    "flower": ("fleur", "fleurs", "f"),
    "boy": ("garcon", "garcons", "m"),
    "girl": ("fille", "filles", "f"),
    "book": ("livre", "livres", "m"),
    "table": ("table", "tables", "f"),
    "horse": ("cheval", "chevaux", "m"),
    "apple": ("pomme", "pommes", "f"),
}
ENGLISH_PLURAL = {"house": "houses", "horse": "horses"}  # the rest add "s"

# adjective: forms for (m sg, f sg, m pl, f pl)
COLOURS = {  # placed after the noun in the target
    "red": ("rouge", "rouge", "rouges", "rouges"),
    "green": ("vert", "verte", "verts", "vertes"),
    "black": ("noir", "noire", "noirs", "noires"),
    "white": ("blanc", "blanche", "blancs", "blanches"),
    "blue": ("bleu", "bleue", "bleus", "bleues"),
}
SIZES = {  # placed before the noun, as in English
    "small": ("petit", "petite", "petits", "petites"),
    "big": ("grand", "grande", "grands", "grandes"),
    "pretty": ("joli", "jolie", "jolis", "jolies"),
}
# verb: (English singular, English plural, target singular, target plural)
VERBS = {
    "see": ("sees", "see", "voit", "voient"),
    "like": ("likes", "like", "aime", "aiment"),
    "follow": ("follows", "follow", "suit", "suivent"),
    "find": ("finds", "find", "trouve", "trouvent"),
    "watch": ("watches", "watch", "regarde", "regardent"),
}
ARTICLES = {  # English article -> forms for (m sg, f sg, plural)
    "the": ("le", "la", "les"),
    "a": ("un", "une", None),  # "a" has no plural
}


@dataclass(frozen=True)
class Pair:
    """One sentence pair; `alignment[j]` is the source word index that target word j translates."""

    source: str
    target: str
    alignment: tuple[int, ...]


def _form(forms: tuple[str, ...], gender: str, plural: bool) -> str:
    return forms[(2 if plural else 0) + (1 if gender == "f" else 0)]


def noun_phrase(rng: random.Random, start: int) -> tuple[list[str], list[str], list[int], bool]:
    """English words, target words, the alignment (source index per target word), and plurality."""
    noun = rng.choice(sorted(NOUNS))
    singular, plural_form, gender = NOUNS[noun]
    plural = rng.random() < 0.35
    article = "the" if plural else rng.choice(("the", "a"))
    size = rng.choice(sorted(SIZES)) if rng.random() < 0.5 else None
    colour = rng.choice(sorted(COLOURS)) if rng.random() < 0.6 else None

    src = [article] + ([size] if size else []) + ([colour] if colour else [])
    src.append((ENGLISH_PLURAL.get(noun, noun + "s")) if plural else noun)
    at = {word: start + i for i, word in enumerate(src)}

    art = ARTICLES[article]
    tgt = [art[2] if plural else art[1 if gender == "f" else 0]]
    align = [at[article]]
    if size:
        tgt.append(_form(SIZES[size], gender, plural))
        align.append(at[size])
    tgt.append(plural_form if plural else singular)
    align.append(start + len(src) - 1)
    if colour:  # reordering: the colour follows the noun
        tgt.append(_form(COLOURS[colour], gender, plural))
        align.append(at[colour])
    return src, tgt, align, plural


def sample_pair(rng: random.Random) -> Pair:
    """subject verb object, e.g. 'the small red car sees a dog' -> 'la petite voiture rouge voit un chien'."""
    s_src, s_tgt, s_align, s_plural = noun_phrase(rng, 0)
    verb = VERBS[rng.choice(sorted(VERBS))]
    v_at = len(s_src)
    o_src, o_tgt, o_align, _ = noun_phrase(rng, v_at + 1)
    src = s_src + [verb[1] if s_plural else verb[0]] + o_src
    tgt = s_tgt + [verb[3] if s_plural else verb[2]] + o_tgt
    return Pair(" ".join(src), " ".join(tgt), tuple(s_align + [v_at] + o_align))


def make_splits(n_train: int, n_test: int, seed: int = 0) -> tuple[list[Pair], list[Pair]]:
    """Train and held-out pairs; no held-out source sentence occurs in training."""
    rng = random.Random(seed)
    test: dict[str, Pair] = {}
    while len(test) < n_test:
        pair = sample_pair(rng)
        test[pair.source] = pair
    train: list[Pair] = []
    while len(train) < n_train:
        pair = sample_pair(rng)
        if pair.source not in test:
            train.append(pair)
    return train, list(test.values())


def vocabulary() -> list[str]:
    """Every word of both languages, sorted (specials are added by the tokenizer)."""
    words = set(ARTICLES) | {f for forms in ARTICLES.values() for f in forms if f}
    for noun, (sg, pl, _) in NOUNS.items():
        words |= {noun, ENGLISH_PLURAL.get(noun, noun + "s"), sg, pl}
    for table in (COLOURS, SIZES):
        for word, forms in table.items():
            words |= {word, *forms}
    for forms in VERBS.values():
        words |= set(forms)
    return sorted(words)
