"""Invented wordings: sentences whose meaning only the document's worked examples give.

A family's trained slots say each sentence in a few fixed ways, so a model can learn those sentences by heart
and then fail on a paraphrase it never read ("Ka flips the coin." for "Ka flips it."). Some corpus documents
therefore say some of their sentences in a wording invented for that document: the slot's own blanks ({p}, {n},
"{words}", ...) in their order, joined by filler words drawn at random. "Ugo zab kelmo." may mean a flip in one
document and nothing in the next; only the chains of the earlier examples tell which. Predicting such a chain is
reading the meaning of a sentence from the prompt, the skill a student's own wording needs (Raventós et al.
2023: diversity of tasks beyond a threshold is what lets a model learn from the context rather than recall).

With `train --wordings perturbed`, the documents in trained sentences (not those in the canonical wording) put
one or two filler words, drawn anew each time, into most of them ("Cora coin owl flips it. Ann flips it zab.").
Some of those words come from the family's own sentences, so a phrase such as "the coin", which the trained
sentences only write in the question's last sentence, also turns up inside a step; never the words that tell two
steps apart ("not", "flips"), which a chain reading that step would mark as noise. A model that took "the coin"
to mean "the question ends here" loses its place in a paraphrase ("Ka flips the coin."), where that phrase sits
in every step. Measured, it helps that wording but costs the `[Q]`/`[A]` layout and the last letters' "final
letter" wording, so it is off by default (the model card's "Changing the weights").
"""

import random
import re

from core.prompting.labels import WORDS, made_up
from core.prompting.pieces import piece_word
from core.prompting.tasks import Family

BLANK = re.compile(r'"?\{\w+\}"?')  # a slot's blank, with the quotes around it if it has them
INVENTED_SLOT_SHARE = 0.8  # slots of an invented wording that are invented; the others keep a trained sentence
FILLER = (1, 3)  # filler words between two blanks, and after the last one
PERTURBED_SLOT_SHARE = 0.8  # sentences of a perturbed wording that get filler words, drawn each time
PERTURB_WORDS = (1, 2)  # filler words put into such a sentence
OWN_WORD_SHARE = 0.4  # filler words drawn from the family's own trained sentences


def filler_word(rng: random.Random) -> str:
    """A made-up word, a common word or a random token piece (never a brace or a quote, which mark the blanks)."""
    draw = rng.random()
    if draw < 0.55:
        return made_up(rng)
    if draw < 0.85:
        return rng.choice(WORDS)
    piece = piece_word(rng).strip()
    return piece if piece and not set(piece) & set('{}"') else made_up(rng)


def invented_sentence(template: str, rng: random.Random) -> str:
    """`template`'s blanks in their order, with random filler words around them and its own last mark:
    "{p} flips it." may become "{p} kelmo zab." """
    blanks = BLANK.findall(template)
    end = template[-1] if template[-1] in ".?" else ""
    parts = [filler_word(rng) for _ in range(rng.randint(0, 1))]
    for blank in blanks:
        parts += [blank] + [filler_word(rng) for _ in range(rng.randint(*FILLER))]
    if not blanks:
        parts += [filler_word(rng) for _ in range(rng.randint(2, 4))]
    sentence = " ".join(parts)
    return sentence[0].upper() + sentence[1:] + end


def invented_wording(family: Family, rng: random.Random) -> dict[str, str]:
    """A wording of `family` in which some slots (at least one) are invented and the rest trained; no two slots
    read the same, so the examples can always tell them apart."""
    while True:
        invented = [rng.random() < INVENTED_SLOT_SHARE for _ in family.train_slots]
        if not any(invented):
            invented[rng.randrange(len(invented))] = True
        wording = {
            slot: invented_sentence(options[0], rng) if new else rng.choice(options)
            for (slot, options), new in zip(family.train_slots.items(), invented, strict=True)
        }
        if len(set(wording.values())) == len(wording):
            return wording


def contrast_slots(family: Family) -> set[str]:
    """Slots that share their blanks with another slot, so only their words tell them apart: a coin flip's "flip"
    and "keep" ("{p} flips it." / "{p} does not flip it."), arithmetic's "buy" and "give", the dates' "later" and
    "earlier"."""
    blanks = {slot: frozenset(BLANK.findall(options[0])) for slot, options in family.train_slots.items()}
    return {slot for slot, own in blanks.items() if own and sum(own == other for other in blanks.values()) > 1}


def own_words(family: Family) -> tuple[str, ...]:
    """The words of `family`'s trained sentences that carry no step's meaning, without blanks and punctuation:
    "coin", "heads", "the", ... A contrast slot's words ("not", "flips", "loses") are left out: put into a sentence
    whose chain reads it the other way, they would teach that those words can be skipped."""
    contrast = contrast_slots(family)

    def words(slots) -> set[str]:
        return {
            word.strip(".,?:;").lower()
            for slot in slots
            for sentence in family.train_slots[slot]
            for word in BLANK.sub(" ", sentence).split()
        }

    return tuple(sorted(w for w in words(set(family.train_slots) - contrast) - words(contrast) if w.isalpha()))


def perturbed_sentence(template: str, rng: random.Random, own: tuple[str, ...]) -> str:
    """`template` with PERTURB_WORDS filler words put between its words, a share of them from `own`:
    "{p} flips it." may become "{p} coin flips kelmo it." The blanks, their order and the last mark stay."""
    words = template[:-1].split() if template[-1] in ".?" else template.split()
    for _ in range(rng.randint(*PERTURB_WORDS)):
        filler = rng.choice(own) if own and rng.random() < OWN_WORD_SHARE else filler_word(rng)
        words.insert(rng.randint(0, len(words)), filler)
    sentence = " ".join(words) + (template[-1] if template[-1] in ".?" else "")
    return sentence[0].upper() + sentence[1:]


class PerturbedWording(dict):
    """A trained wording whose sentences take fresh filler words each time a problem says them: "Cora owl flips it.
    Ann flips coin it. Bo turns it." So the next person of a coin flip is no longer a fixed number of tokens after
    the last one, and a chain that keeps its place by counting tokens, not by reading the names, loses it. Only
    reading a slot (`wording[slot]`, as the families' `make` does) perturbs; `.get`, `.items()` give the plain
    sentences."""

    def __init__(self, sentences: dict[str, str], rng: random.Random, own: tuple[str, ...]):
        super().__init__(sentences)
        self.rng, self.own = rng, own

    def __getitem__(self, slot: str) -> str:
        sentence = super().__getitem__(slot)
        return (
            perturbed_sentence(sentence, self.rng, self.own) if self.rng.random() < PERTURBED_SLOT_SHARE else sentence
        )


def perturbed_wording(family: Family, rng: random.Random) -> PerturbedWording:
    """A trained wording of `family` whose sentences, most times they are said, carry filler words drawn anew."""
    return PerturbedWording(family.train_wording(rng), rng, own_words(family))
