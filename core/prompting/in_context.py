"""In-context learning probes: tasks a model can only do by reading the examples in its prompt.

- Unrelated labels (Wei et al. 2023, "Larger language models do in-context learning differently"):
  a coin-flip question whose answers are written as two fresh words (`blue`/`red`, `7`/`3`), assigned
  at random for every prompt. The instruction line names both words, so zero-shot sits at chance
  (50%); only the worked examples say which word means "heads up".
- Word mapping: lines pairing fresh names with fresh words, drawn for every prompt, then one name
  again; the answer is its word, which only this prompt says. Copying what followed the same name
  earlier is what an induction head does (Olsson et al. 2022). In the layout of the corpus's rosters
  ("Ann: fox." lines, then "Again:") the pairs are new but the layout is known; in a layout the
  corpus never writes ("Ann = fox.") the model must also carry the copying over to a new format.
"""

import random
from dataclasses import dataclass

from core.prompting.corpus import LABEL_LENGTHS, answer_words, label_instruction
from core.prompting.prompts import Format, question_block, worked_example
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES
from core.prompting.tasks.names import NAMES
from core.prompting.words import LABEL_WORDS
from core.runtime.validate import shown

LABEL_KS = (0, 1, 2, 4, 8)
MAPPING_KS = (2, 4, 8)
MAX_MAPPING_K = 12


@dataclass(frozen=True)
class Probe:
    prompt: str
    truth: str  # the word the prompt's examples imply
    chance: float  # accuracy of guessing among the answers the prompt offers


def unrelated_label_probe(k: int, rng: random.Random) -> Probe:
    """A held-out coin flip with two fresh answer words and k answer-only worked examples."""
    if not 0 <= k <= max(LABEL_KS):
        raise ValueError(f"k must be from 0 to {max(LABEL_KS)} worked examples, got {k}")
    family = FAMILIES["coin_flip"]
    yes, no = answer_words(rng)
    fmt = Format().with_answer_words(yes, no)
    header = label_instruction(yes, no, rng)
    problem = sample(family, rng, rng.choice(LABEL_LENGTHS), "test")  # drawn first: the same question for every k
    examples = [worked_example(sample(family, rng, rng.choice(LABEL_LENGTHS), "train"), fmt) for _ in range(k)]
    prompt = "\n\n".join([header, *examples, question_block(problem.question)])
    return Probe(prompt, fmt.written(problem.answer), chance("labels", k))


# (pair line, question) of each word-mapping layout
MAPPING_LAYOUTS = {
    "mapping": ("{key}: {value}.", "Again:\n{key}:"),  # the corpus's roster layout, with fresh pairs
    "mapping-new-layout": ("{key} = {value}.", "{key} ="),  # a layout the corpus never writes
}


def word_mapping_probe(k: int, rng: random.Random, layout: str = "mapping") -> Probe:
    """k fresh name-word pairs in `layout`, then one of the names again; the answer is its word."""
    if not 1 <= k <= MAX_MAPPING_K:
        raise ValueError(f"k must be from 1 to {MAX_MAPPING_K} pairs, got {k}")
    pair, question = MAPPING_LAYOUTS[layout]
    keys = rng.sample(NAMES, k)
    values = rng.sample(LABEL_WORDS, k)
    query = rng.randrange(k)
    lines = [pair.format(key=key, value=value) for key, value in zip(keys, values, strict=True)]
    return Probe("\n".join([*lines, question.format(key=keys[query])]), values[query], chance(layout, k))


def mapping_answer(generation: str) -> str:
    """The first word the model writes after "Name =", without its full stop."""
    words = generation.split()
    return words[0].rstrip(".").lower() if words else ""


PROBE_KINDS = ("labels", *MAPPING_LAYOUTS)
MAPPING_K_CHOICES = (1, *MAPPING_KS, MAX_MAPPING_K)  # from one pair to the most a prompt holds


def k_choices(kind: str) -> tuple[int, ...]:
    """The numbers of examples a page offers for a probe of `kind`: 0 to 8 coin flips, 1 to 12 pairs."""
    return LABEL_KS if kind == "labels" else MAPPING_K_CHOICES


def default_ks(kind: str) -> tuple[int, ...]:
    """The numbers of examples first ticked for a probe of `kind`: those of the stored evaluation."""
    return LABEL_KS if kind == "labels" else MAPPING_KS


def chance(kind: str, k: int) -> float:
    """The accuracy of guessing on a probe of `kind` with k examples: one of the two answer words for "labels",
    one of the k words of the mapping otherwise."""
    return 0.5 if kind == "labels" else 1 / k


def probes(kind: str, k: int, n: int, seed: int = 2) -> list[Probe]:
    """n probes of `kind` (one of PROBE_KINDS) with k examples, the same n questions for every k."""
    if kind not in PROBE_KINDS:
        raise ValueError(f"probe must be one of {', '.join(PROBE_KINDS)}, got {shown(kind)}")
    if kind == "labels":
        return [unrelated_label_probe(k, random.Random(seed * 1_000_003 + i)) for i in range(n)]
    return [word_mapping_probe(k, random.Random(seed * 1_000_003 + i), kind) for i in range(n)]
