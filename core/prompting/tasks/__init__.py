"""Task families a program can generate with ground truth (Wei et al. 2022, section 3-5).

Each family makes a `Problem` of a given length (coin flips: people; last letters: words;
arithmetic: steps; dates: date computations). Test questions are held out by a hash split,
and each family also has lengths longer than any trained one, as in the chain-of-thought paper.
"""

import itertools
import random
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

TEST_SHARE = 10  # one question in TEST_SHARE is reserved for testing, never trained on


@dataclass(frozen=True)
class Problem:
    task: str
    question: str
    steps: tuple[str, ...]  # the reasoning chain, one sentence per step
    answer: str
    length: int
    quoted: tuple[str, ...] = ()  # the same steps, each opening with the sentence it reads ("Ka flips it: ...")

    @property
    def chain(self) -> str:
        return " ".join(self.steps)

    @property
    def quoted_chain(self) -> str:
        """The chain whose steps say first which sentence of the question they read; a family whose steps read
        no sentence of their own (last letters) keeps its plain chain."""
        return " ".join(self.quoted or self.steps)


def quote(sentence: str, step: str) -> str:
    """`step` opened by the question's `sentence` it reads: ("Ka gets 3 more.", "4 + 3 = 7.") ->
    "Ka gets 3 more: 4 + 3 = 7." Saying the sentence first turns reading its meaning from earlier examples into
    copying what followed the same words there (an induction head's one hop, Olsson et al. 2022) instead of
    finding the example step whose sentence matches."""
    return f"{sentence.rstrip('.?')}: {step}"


def one_of_each(slots: dict[str, tuple[str, ...]], rng: random.Random) -> dict[str, str]:
    """One sentence drawn for every slot, the slots in their order."""
    return {slot: rng.choice(options) for slot, options in slots.items()}


@dataclass(frozen=True)
class Family:
    name: str
    title: str
    length_unit: str  # what `Problem.length` counts
    train_lengths: tuple[int, ...]
    longer_lengths: tuple[int, ...]
    make: Callable[..., Problem]  # (rng, length, wording=None) -> Problem
    multi_step: tuple[int, ...] = ()  # trained lengths long enough that one token cannot hold the answer
    train_slots: dict[str, tuple[str, ...]] = field(default_factory=dict)  # each sentence's trained alternatives
    held_out: dict[str, dict[str, str]] = field(default_factory=dict)  # wordings the corpus never writes
    held_out_marks: tuple[str, ...] = ()  # strings only the held-out wordings contain
    paraphrase_slots: dict[str, tuple[str, ...]] = field(default_factory=dict)  # each sentence's composed paraphrases

    def train_wording(self, rng: random.Random) -> dict[str, str]:
        """One trained alternative for every sentence of the family, drawn independently."""
        return one_of_each(self.train_slots, rng)

    def paraphrased_wording(self, rng: random.Random) -> dict[str, str]:
        """One composed paraphrase for every sentence of the family (`compose`), drawn independently."""
        return one_of_each(self.paraphrase_slots, rng)

    @property
    def eval_lengths(self) -> tuple[int, ...]:
        """The trained lengths a chain-of-thought claim is measured on: the multi-step end of the range."""
        return self.multi_step or self.train_lengths


def compose(*pools: tuple[str, ...], marks: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Every sentence made of one piece from each pool in turn, its first letter capitalised, except those that
    hold one of `marks` (the held-out wordings' strings): ("", "Then ") x ("{p} flips it",) x (".",) ->
    "{p} flips it.", "Then {p} flips it." """
    sentences = []
    for pieces in itertools.product(*pools):
        text = "".join(pieces)
        text = text[0].upper() + text[1:]
        if not any(mark in text for mark in marks) and text not in sentences:
            sentences.append(text)
    return tuple(sentences)


def objects(phrases: tuple[str, ...], nouns: tuple[str, ...]) -> tuple[str, ...]:
    """Every phrase with its `{o}` said as each noun: ("flips {o}",) x ("it", "the coin") -> "flips it", ..."""
    return tuple(phrase.replace("{o}", noun) for phrase in phrases for noun in nouns)


def is_test_question(question: str) -> bool:
    return zlib.crc32(question.encode()) % TEST_SHARE == 0


def sample(
    family: Family, rng: random.Random, length: int, split: str, wording: dict[str, str] | None = None
) -> Problem:
    """A problem of `length` from the "train" or the "test" side of the hash split, in `wording`
    (a trained or held-out one; None: the family's canonical wording)."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    while True:
        problem = family.make(rng, length, wording)
        if is_test_question(problem.question) == (split == "test"):
            return problem
