"""In-context learning probes: tasks a model can only do by reading the examples in its prompt.

Every probe is built from material the corpus never contains (`core.prompting.labels.HELD_OUT`,
`core.prompting.layouts.HELD_OUT`), so what the model answers it has read from this prompt:

- labels: a short coin flip (1-2 people) whose answers are written as two held-out answer words
  (`alpha`/`omega`, `#`/`@`, `Paris`/`Tokyo`, `ice cream`/`hot dog`, `404`/`777`, `wug`/`dax`), drawn for
  every prompt and named nowhere but in its examples (Wei et al. 2023, "semantically unrelated labels").
  The k examples are balanced between the two words. With none, a model cannot know either word.
- labels-trained: the same with two fresh words from the corpus's own answer-word pools (`owl`/`7`, made-up
  syllables, ...): the contrast that shows whether reading a mapping carries beyond the words trained on.
- labels in a layout: the same prompt at k = 4 in one trained or one held-out layout (`Problem:`/`Solution:`,
  `x -> y`, `[Q]`/`[A]`, ...), so each layout is compared on the same questions and words.
- mapping: k fresh names paired with held-out answer words, then one name again; the answer is its word,
  which only this prompt says. Copying what followed the same name earlier is what an induction head does
  (Olsson et al. 2022). In trained layouts ("mapping") or held-out ones ("mapping-new-layout").
- flipped: a plain yes/no coin flip whose examples write "yes" for tails and "no" for heads (Wei et al. 2023,
  "flipped labels"), half of the questions with the flipped answer "yes" and half with "no". Scored as following
  the examples; `flipped_outcome` also tells the prior (the coin's true side) from any other reply, and the two
  halves apart: a model that answers "no" to everything follows on one half and keeps its prior on the other.
"""

import random
from dataclasses import dataclass

from core.prompting.answers import normalise, read_answer
from core.prompting.labels import HELD_OUT as HELD_OUT_LABELS
from core.prompting.labels import held_out_labels, trained_labels
from core.prompting.layouts import HELD_OUT as HELD_OUT_LAYOUTS
from core.prompting.layouts import NOTES, TRAINED, Layout
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES
from core.prompting.tasks.names import NAMES
from core.runtime.validate import shown

LABEL_KS = (0, 1, 2, 4, 8)
MAPPING_KS = (2, 4, 8)
FLIPPED_KS = (0, 4, 8)
MAX_MAPPING_K = 12
LABEL_LENGTHS = (1, 2)  # flips short enough that the answer needs no chain
LAYOUT_K = 4  # the examples of the layout comparison
LABEL_KINDS = tuple(HELD_OUT_LABELS)
ALL_LAYOUTS = {**TRAINED, **HELD_OUT_LAYOUTS}


@dataclass(frozen=True)
class Probe:
    prompt: str
    truth: str  # the answer the prompt's examples imply
    chance: float  # accuracy of guessing among the answers the prompt offers
    kind: str = ""  # the held-out kind of answer word, or the layout's name


def joined(layout: Layout, items: list[str]) -> str:
    """Items one per line where an item is one line, else separated by a blank line, as people write them."""
    return ("\n\n" if "\n" in layout.answer else "\n").join(items)


def balanced(k: int, rng: random.Random) -> list[str]:
    """k answers, half "yes" and half "no" (the odd one drawn), in random order: every word gets examples."""
    answers = ["yes", "no"] * (k // 2) + ([rng.choice(("yes", "no"))] if k % 2 else [])
    rng.shuffle(answers)
    return answers


def coin_with_answer(answer: str, rng: random.Random, split: str):
    family = FAMILIES["coin_flip"]
    while True:
        problem = sample(family, rng, rng.choice(LABEL_LENGTHS), split)
        if problem.answer == answer:
            return problem


def label_probe(k: int, rng: random.Random, layout: Layout = NOTES, kind: str | None = None) -> Probe:
    """A held-out short coin flip whose answers are two held-out words (or, for kind "trained", two fresh draws
    from the corpus's own pools), with k balanced examples in `layout`."""
    if not 0 <= k <= max(LABEL_KS):
        raise ValueError(f"k must be from 0 to {max(LABEL_KS)} worked examples, got {k}")
    family = FAMILIES["coin_flip"]
    kind = kind or rng.choice(LABEL_KINDS)
    draw = random.Random(rng.random())  # the words from their own stream: every kind gets the same questions
    yes, no = trained_labels(draw, 2) if kind == "trained" else held_out_labels(draw, 2, kind)
    words = {"yes": yes, "no": no}
    problem = sample(family, rng, rng.choice(LABEL_LENGTHS), "test")  # drawn first: the same question for every k
    examples = [
        layout.item(p.question, words[p.answer]) for p in (coin_with_answer(a, rng, "train") for a in balanced(k, rng))
    ]
    prompt = joined(layout, [*examples, layout.block(problem.question)])
    return Probe(prompt, words[problem.answer], chance("labels", k), kind)


SWAP = {"yes": "no", "no": "yes"}  # the flipped labels
FOLLOWS, PRIOR, OTHER = "f", "p", "o"  # what a reply to a flipped probe does


def flipped_probe(k: int, rng: random.Random, truth: str) -> Probe:
    """A held-out short coin flip whose swapped answer is `truth` ("yes" or "no"), after k balanced examples whose
    yes and no are swapped."""
    problem = coin_with_answer(SWAP[truth], rng, "test")
    examples = [
        NOTES.item(p.question, SWAP[p.answer]) for p in (coin_with_answer(a, rng, "train") for a in balanced(k, rng))
    ]
    return Probe(joined(NOTES, [*examples, NOTES.block(problem.question)]), SWAP[problem.answer], 0.5, "flipped")


def flipped_outcome(probe: Probe, reply: str) -> str:
    """FOLLOWS when the reply gives the flipped answer, PRIOR when it gives the coin's true side, OTHER otherwise."""
    said = read_answer(reply)
    return FOLLOWS if said == normalise(probe.truth) else PRIOR if said == normalise(SWAP[probe.truth]) else OTHER


def word_mapping_probe(k: int, rng: random.Random, layout: Layout = NOTES, kind: str = "") -> Probe:
    """k fresh names paired with held-out answer words in `layout`, then one of the names again."""
    if not 1 <= k <= MAX_MAPPING_K:
        raise ValueError(f"k must be from 1 to {MAX_MAPPING_K} pairs, got {k}")
    keys = rng.sample(NAMES, k)
    values = held_out_labels(rng, k)
    query = rng.randrange(k)
    lines = [layout.item(key, value) for key, value in zip(keys, values, strict=True)]
    return Probe(joined(layout, [*lines, layout.block(keys[query])]), values[query], 1 / k, kind)


def probe_right(probe: Probe, reply: str) -> bool:
    return read_answer(reply) == normalise(probe.truth)


def right_bits(items: list[Probe], replies: list[str]) -> str:
    """Right (1) or wrong (0) for each probe's reply."""
    return "".join("1" if probe_right(p, r) else "0" for p, r in zip(items, replies, strict=True))


def flipped_outcomes(items: list[Probe], replies: list[str]) -> str:
    """`flipped_outcome` of each reply to a flipped probe, one letter each."""
    return "".join(flipped_outcome(p, r) for p, r in zip(items, replies, strict=True))


def outcome_bits(outcomes: str, outcome: str) -> str:
    """1 where a reply did `outcome` (FOLLOWS, PRIOR or OTHER), 0 elsewhere: a string the claims' estimates read."""
    return "".join("1" if did == outcome else "0" for did in outcomes)


PROBE_KINDS = ("labels", "labels-trained", "labels-new-layout", "mapping", "mapping-new-layout", "flipped")
MAPPING_K_CHOICES = (1, *MAPPING_KS, MAX_MAPPING_K)  # from one pair to the most a prompt holds


def k_choices(kind: str) -> tuple[int, ...]:
    """The numbers of examples a page offers for a probe of `kind`: 0 to 8 examples, 1 to 12 pairs."""
    return MAPPING_K_CHOICES if kind.startswith("mapping") else LABEL_KS


def default_ks(kind: str) -> tuple[int, ...]:
    """The numbers of examples first ticked for a probe of `kind`: those of the stored evaluation."""
    return MAPPING_KS if kind.startswith("mapping") else FLIPPED_KS if kind == "flipped" else LABEL_KS


def chance(kind: str, k: int) -> float:
    """The accuracy of guessing on a probe of `kind` with k examples: one of the two answer words for a label
    probe, one of the k words of the mapping otherwise."""
    return 1 / k if kind.startswith("mapping") else 0.5


def probes(kind: str, k: int, n: int, seed: int = 2) -> list[Probe]:
    """n probes of `kind` (one of PROBE_KINDS, or "layout:<name>") with k examples, the same n questions for
    every k. Kinds of answer word and layouts take turns."""
    rngs = [random.Random(seed * 1_000_003 + i) for i in range(n)]
    held_out, trained = list(HELD_OUT_LAYOUTS.values()), list(TRAINED.values())
    if kind == "labels":
        return [label_probe(k, r, kind=LABEL_KINDS[i % len(LABEL_KINDS)]) for i, r in enumerate(rngs)]
    if kind == "labels-trained":
        return [label_probe(k, r, kind="trained") for r in rngs]
    if kind == "labels-new-layout":
        kinds = [LABEL_KINDS[(i // len(held_out)) % len(LABEL_KINDS)] for i in range(n)]
        return [label_probe(k, r, held_out[i % len(held_out)], kinds[i]) for i, r in enumerate(rngs)]
    if kind.startswith("layout:") and kind.removeprefix("layout:") in ALL_LAYOUTS:
        layout = ALL_LAYOUTS[kind.removeprefix("layout:")]
        return [label_probe(k, r, layout, LABEL_KINDS[i % len(LABEL_KINDS)]) for i, r in enumerate(rngs)]
    if kind == "mapping":
        return [word_mapping_probe(k, r, trained[i % len(trained)]) for i, r in enumerate(rngs)]
    if kind == "mapping-new-layout":
        return [word_mapping_probe(k, r, held_out[i % len(held_out)]) for i, r in enumerate(rngs)]
    if kind == "flipped":  # flipped answers "yes" and "no" take turns
        return [flipped_probe(k, r, ("yes", "no")[i % 2]) for i, r in enumerate(rngs)]
    raise ValueError(f"probe must be one of {', '.join(PROBE_KINDS)}, got {shown(kind)}")
