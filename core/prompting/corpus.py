"""The pre-training corpus: generated *documents*, as a base model would read on the web.

Four kinds of document, each drawn compositionally from large pools, so that what carries over from one
document to the next is how to read a document, not a word list (Chan et al. 2022; Raventós et al. 2023):

- Worked items of one task family (coin flip, last letters, arithmetic, dates). Each document draws its
  layout (`core.prompting.layouts`), the wording of every sentence (the family's trained slots, or for some
  documents a wording invented for them, whose meaning only the earlier examples give:
  `core.prompting.wordings`; `train --wordings perturbed` puts filler words into the trained ones, and
  `train --wordings paraphrased` draws them from each family's composed paraphrases instead), and its
  mode (with `train --chains mixed` or `quoted`, some or all reasoning documents open each step with the
  sentence it reads, "Ka flips it: flips, tails."; with `train --openings announced`, every reasoning document
  opens with a line asking for the working, "Show your work."): every answer shows its reasoning ("... So
  the answer is X.", sometimes opened by "Let's think step by step."), or every answer is given at once ("The
  answer is X." or the answer alone), whatever the problem's length. On the web a long problem is sometimes
  answered without its work; here a document keeps one mode, so the examples of a prompt, not the problem, say
  how to answer. Answering a long problem at once is then a guess the loss cannot teach, which is why a chain
  helps.
- Label documents: short classification items (a 1-2 person coin flip, parity, comparison, kind of word)
  whose classes are written as answer words drawn for the document from open pools (`core.prompting.labels`):
  only the examples say which word means what (Wei et al. 2023).
- Mapping documents: pairs of fresh keys and answer words in a drawn layout, then some keys again (announced
  by a line such as "Again:", or straight on, as a student's own prompt asks them); with `train --values long`,
  half their answer words take 3-10 tokens, so a value is copied to its end, not only begun.
- Repeat documents: a run of random words, numbers and symbols, of random printable characters (noise), or
  of tokens drawn uniformly from the whole vocabulary (`core.prompting.pieces`), written twice.

The last two are text whose next word is found by copying what followed the same words earlier, over the
whole vocabulary, from which induction heads form (Olsson et al. 2022). Answer words and, in some documents,
layout markers are made of random token pieces too, so that reading an answer word or a marker from the
examples is learned for every token, not for a list. Test questions are never drawn
(hash split in `core.prompting.tasks`), and no document with questions and answers contains a held-out layout,
wording or answer word: `document` rejects any that would (`held_out_marks`). Only noise documents, which have
no questions, answers or layout, may hold any character or token (`>`, `|`, `#`, ...), as text on the web does:
every token is seen and copied, while no held-out layout, wording or answer word is ever used as one.
"""

import random
import string
from dataclasses import dataclass, replace

from core.prompting import layouts
from core.prompting.labels import WORDS, made_up, trained_label, trained_labels
from core.prompting.layouts import ENCLOSED_STYLES, MARKER_STYLES, NOTES, Layout, trained_layout
from core.prompting.pieces import piece_run, piece_word
from core.prompting.prompts import Format, notes_example, worked_example
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES
from core.prompting.tasks.names import NAMES
from core.prompting.wordings import invented_wording, perturbed_wording

KIND_WEIGHTS = {"qa": 0.32, "labels": 0.3, "mapping": 0.2, "repeat": 0.18}
TASK_WEIGHTS = {"coin_flip": 0.35, "arithmetic": 0.3, "last_letter": 0.15, "dates": 0.2}
CLASSIC = (NOTES, Layout("Question: ", "\nAnswer:"), Layout("Input: ", "\nOutput:"))
CLASSIC_SHARE = 0.4  # documents in one of the classic layouts (the notes' Q:/A: first); the rest draw one
PIECE_LAYOUT_SHARE = 0.25  # drawn layouts whose markers are random token pieces
CANONICAL_SHARE = 0.25  # documents in each family's canonical wording
INVENTED_SHARE = 0.5  # documents in a wording invented for them (`core.prompting.wordings`); the rest draw
# every sentence from the trained slots, or as `WORDINGS` says
WORDINGS = {  # how the documents that are neither canonical nor invented say their sentences
    "trained": lambda family, rng: family.train_wording(rng),  # the trained slots: the bundled weights' corpus
    "perturbed": perturbed_wording,  # most of them with filler words put in
    "paraphrased": lambda family, rng: family.paraphrased_wording(rng),  # composed paraphrases (`tasks.compose`)
}
INVENTED_ITEMS = 3  # the fewest items of an invented-wording document: its first examples teach the wording
CHAIN_SHARE = 0.5  # documents whose answers show their reasoning
CHAINS = {  # the share of reasoning documents whose steps open with the sentence they read (`Problem.quoted`)
    "plain": 0.0,  # the bundled weights' corpus
    "mixed": 0.5,
    "quoted": 1.0,
}
VALUES = {  # the share of a mapping document's answer words that are long (`labels.long_label`)
    "short": 0.0,  # the bundled weights' corpus
    "long": 0.5,
}
MARKERS = {  # the styles a drawn layout writes its marker words in
    "trained": MARKER_STYLES,  # the bundled weights' corpus: "Q:", "(Q)", "*Q*", ...
    "enclosed": MARKER_STYLES + ENCLOSED_STYLES,  # and in more pairs of characters: "{Q}", "«Q»", "/Q/", ...
}
THINK_SHARE = 0.25  # reasoning documents whose answers open with "Let's think step by step."
OPENINGS = {  # how a reasoning document says that its answers reason
    "any": 0.0,  # the bundled weights' corpus: it does not say, so a question alone is answered with a chain or at
    # once as the model's own habit has it, and which one varies from run to run
    "cued": 1.0,  # its first answer opens with "Let's think step by step.": a question alone still goes either
    # way, since the model writes the cue itself
    "announced": 1.0,  # a line before its first question asks for the working (ANNOUNCEMENTS), so a question
    # alone is answered at once unless the prompt asks for reasoning, as a real base model does (Kojima et al. 2022)
}
ANNOUNCEMENTS = (
    "Let's think step by step.",
    "Show your work.",
    "Explain each answer.",
    "Work through each one step by step.",
    "Reason it out, then answer.",
    "Answers with their steps:",
    "Each answer shows how it was found.",
    "Think first, then answer.",
)
BARE_SHARE = 0.35  # direct-answer documents that write the answer alone
INSTRUCTION_SHARE = 0.2
GENERIC_INSTRUCTIONS = ("Answer the question.", "Answer each question.", "Solve each problem.")
NOTES_SHARE = 0.05  # documents that open with the notes' exemplar of their family
MAX_ITEMS = 9
MAX_LABEL_ITEMS = 16
CHAR_BUDGET = 3000  # a document stops adding items past this many characters (about 900 tokens)
LABEL_HEADER_SHARE = 0.25  # label documents that open by naming their answer words
ROSTER_TEMPLATES = (
    "{k} is on team {v}.",
    "{k} sits in seat {v}.",
    "{k} has the {v} card.",
    "{k} likes {v}.",
    "The locker of {k} is {v}.",
)
AGAIN = ("Again:", "Later:", "Checked:", "", "Once more:")
UNMARKED_SHARE = 0.5  # mapping documents whose keys come again straight on, with nothing to announce them
REPEAT_WORDS = (10, 80)  # length of the run a repeat document writes twice
NOISE_SHARE = 0.2  # repeat documents whose run is random printable characters
PIECE_RUN_SHARE = 0.5  # repeat documents whose run is random tokens of the whole vocabulary
PIECE_RUN = (20, 200)  # tokens in such a run
NOISE_CHARS = string.ascii_letters + string.digits + string.punctuation
CATEGORIES = {  # the "kind of word" task: three classes
    "animal": ("cat", "dog", "fox", "owl", "bee", "cow", "pig", "ant", "bat", "hen", "elk", "yak"),
    "colour": ("red", "blue", "green", "black", "white", "pink", "gold", "gray", "brown", "orange"),
    "food": ("apple", "pear", "plum", "lime", "fig", "corn", "rice", "bread", "milk", "tea"),
}


@dataclass(frozen=True)
class Recipe:
    """The corpus options (`train --wordings --chains --values --markers --openings`); the defaults are the
    bundled weights' corpus."""

    wordings: str = "trained"  # a key of WORDINGS: how trained-wording documents say their sentences
    chains: str = "plain"  # a key of CHAINS: how many reasoning documents quote the sentence each step reads
    values: str = "short"  # a key of VALUES: how many of a mapping document's answer words are long
    markers: str = "trained"  # a key of MARKERS: the styles of drawn layouts' marker words
    openings: str = "any"  # a key of OPENINGS: how a reasoning document says that its answers reason


BUNDLED = Recipe()


def pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


def drawn_layout(rng: random.Random, recipe: Recipe = BUNDLED) -> Layout:
    """A layout of the trained pools, or one whose markers (or infix) are two different random token pieces."""
    styles = MARKERS[recipe.markers]
    if rng.random() >= PIECE_LAYOUT_SHARE:
        return trained_layout(rng, styles=styles)
    question = piece_word(rng)
    answer = piece_word(rng)
    return trained_layout(rng, (question, answer) if question != answer else None, styles)


def document_layout(rng: random.Random, recipe: Recipe = BUNDLED) -> Layout:
    return rng.choice(CLASSIC) if rng.random() < CLASSIC_SHARE else drawn_layout(rng, recipe)


def qa_document(rng: random.Random, recipe: Recipe = BUNDLED) -> str:
    """Worked items of one family, in one drawn layout, wording and mode; the recipe's `wordings` says how the
    documents neither canonical nor invented word their sentences, its `chains` how many reasoning documents
    quote the sentence each step reads."""
    task = pick(rng, TASK_WEIGHTS.items())
    family = FAMILIES[task]
    chain = rng.random() < CHAIN_SHARE
    fmt = Format(
        layout=document_layout(rng, recipe),
        chain=chain,
        think=chain and rng.random() < THINK_SHARE,
        bare=not chain and rng.random() < BARE_SHARE,
        quoted=chain and CHAINS[recipe.chains] > 0 and rng.random() < CHAINS[recipe.chains],
    )
    draw = rng.random()
    invented = CANONICAL_SHARE <= draw < CANONICAL_SHARE + INVENTED_SHARE
    wording = (
        None
        if draw < CANONICAL_SHARE
        else invented_wording(family, rng)
        if invented
        else WORDINGS[recipe.wordings](family, rng)
    )
    header = rng.choice(GENERIC_INSTRUCTIONS) if rng.random() < INSTRUCTION_SHARE else ""
    share = OPENINGS[recipe.openings]
    opening = recipe.openings if chain and share > 0 and rng.random() < share else "any"
    if opening == "announced":
        header = "\n".join(filter(None, (rng.choice(ANNOUNCEMENTS), header)))
    items = []
    if rng.random() < NOTES_SHARE and fmt.is_notes_format and not fmt.bare and not fmt.quoted and opening != "cued":
        items.append(notes_example(task, chain))
    n_items, size = rng.randint(INVENTED_ITEMS if invented else 1, MAX_ITEMS), len(header)
    while len(items) < n_items and (not items or size < CHAR_BUDGET):
        length = rng.choice(family.train_lengths)
        first = replace(fmt, think=True) if opening == "cued" and not items else fmt
        items.append(worked_example(sample(family, rng, length, "train", wording), first))
        size += len(items[-1])
    return rng.choice(("\n\n", "\n")).join(([header] if header else []) + items)


def coin_item(rng: random.Random) -> tuple[str, str]:
    family = FAMILIES["coin_flip"]
    problem = sample(family, rng, rng.randint(1, 2), "train", family.train_wording(rng))
    return problem.question, problem.answer


def parity_item(rng: random.Random) -> tuple[str, str]:
    n = rng.randint(0, 99)
    return rng.choice(("Is {n} even?", "{n}", "Is {n} an even number?")).format(n=n), "no" if n % 2 else "yes"


def compare_item(rng: random.Random) -> tuple[str, str]:
    a, b = rng.sample(range(100), 2)
    return rng.choice(("Is {a} more than {b}?", "Is {a} bigger than {b}?", "{a} vs {b}")).format(a=a, b=b), (
        "yes" if a > b else "no"
    )


def category_item(rng: random.Random) -> tuple[str, str]:
    kind = rng.choice(tuple(CATEGORIES))
    word = rng.choice(CATEGORIES[kind])
    return rng.choice(("{w}", "What is {w}?", "The word {w}.")).format(w=word), kind


LABEL_TASKS = {"coin_flip": (coin_item, ("yes", "no")), "parity": (parity_item, ("yes", "no")),
               "compare": (compare_item, ("yes", "no")), "category": (category_item, tuple(CATEGORIES))}  # fmt: skip


def label_document(rng: random.Random, recipe: Recipe = BUNDLED) -> str:
    """Short classification items whose classes are written as answer words drawn for this document."""
    make, classes = LABEL_TASKS[rng.choice(tuple(LABEL_TASKS))]
    words = dict(zip(classes, trained_labels(rng, len(classes)), strict=True))
    layout = document_layout(rng, recipe)
    bare = rng.random() < 0.7
    header = ""
    if rng.random() < LABEL_HEADER_SHARE:
        named = rng.sample(list(words.values()), len(words))
        header = rng.choice(("Answer with {}.", "Labels: {}.", "Choose {}.")).format(" or ".join(named))
    items = []
    for _ in range(rng.randint(2, MAX_LABEL_ITEMS)):
        question, answer = make(rng)
        items.append(layout.item(question, words[answer] if bare else f"The answer is {words[answer]}."))
    return rng.choice(("\n\n", "\n")).join(([header] if header else []) + items)


def fresh_key(rng: random.Random) -> str:
    draw = rng.random()
    return rng.choice(NAMES) if draw < 0.5 else rng.choice(WORDS) if draw < 0.7 else made_up(rng).capitalize()


def mapping_document(rng: random.Random, recipe: Recipe = BUNDLED) -> str:
    """Fresh keys paired with fresh answer words, listed and then asked again in the same layout; with the
    recipe's `values` "long", half the words are of 3-6 tokens, each copied to its end only token by token."""
    n = rng.randint(2, 12)
    keys: list[str] = []
    while len(keys) < n:
        key = fresh_key(rng)
        keys += [key] if key not in keys else []
    long = VALUES[recipe.values]
    if rng.random() < 0.7:
        values = trained_labels(rng, n, long)
    else:
        values = [trained_label(rng, long) for _ in keys]
    if rng.random() < 0.35:
        template = rng.choice(ROSTER_TEMPLATES)

        def line(k: str, v: str) -> str:
            return template.format(k=k, v=v)
    else:
        line = (drawn_layout(rng, recipe) if rng.random() < 0.7 else rng.choice(CLASSIC)).item
    listed = [line(k, v) for k, v in zip(keys, values, strict=True)]
    again = rng.sample(range(n), rng.randint((n + 1) // 2, n))
    repeated = [line(keys[i], values[i]) for i in again]
    joiner = "\n\n" if "\n" in listed[0] else "\n"
    if rng.random() < UNMARKED_SHARE:
        return joiner.join(listed + repeated)
    heading = rng.choice(AGAIN)
    return joiner.join(listed) + "\n" + (heading + "\n" if heading else "") + joiner.join(repeated)


def random_word(rng: random.Random) -> str:
    draw = rng.random()
    if draw < 0.3:
        return rng.choice(NAMES)
    if draw < 0.6:
        return rng.choice(WORDS)
    if draw < 0.85:
        return made_up(rng)
    return trained_label(rng)


def noise_word(rng: random.Random) -> str:
    return "".join(rng.choices(NOISE_CHARS, k=rng.randint(1, 4)))


def repeat_document(rng: random.Random, noise: str = "") -> str:
    """A run of random words (for noise "chars", random character strings; for "pieces", random tokens) written
    twice: every word of the second copy can be predicted only by finding the same word in the first and
    copying the one after it."""
    if noise == "pieces":
        words = piece_run(rng, rng.randint(*PIECE_RUN))
    else:
        draw = noise_word if noise else random_word
        words = " ".join(draw(rng) for _ in range(rng.randint(*REPEAT_WORDS)))
    return words + rng.choice(("\n", "\n\n", " ")) + words


KINDS = {  # each called as KINDS[kind](rng, recipe)
    "qa": qa_document,
    "labels": label_document,
    "mapping": mapping_document,
    "repeat": lambda rng, recipe=BUNDLED: repeat_document(rng),
}


def held_out_marks() -> tuple[str, ...]:
    """Strings that only held-out layouts and wordings contain: no training document has one."""
    return layouts.HELD_OUT_MARKS + tuple(mark for f in FAMILIES.values() for mark in f.held_out_marks)


MARKS = held_out_marks()


def document(rng: random.Random, recipe: Recipe = BUNDLED) -> str:
    """One training document of a random kind, as `recipe` says: noise as drawn, any other drawn again until it
    holds nothing held out."""
    while True:
        kind = pick(rng, KIND_WEIGHTS.items())
        if kind == "repeat" and rng.random() < NOISE_SHARE + PIECE_RUN_SHARE:
            return repeat_document(
                rng, "chars" if rng.random() < NOISE_SHARE / (NOISE_SHARE + PIECE_RUN_SHARE) else "pieces"
            )
        text = KINDS[kind](rng, recipe)
        if not any(mark in text for mark in MARKS):
            return text


def token_stream(rng: random.Random, encode, eos_id: int, n_tokens: int, recipe: Recipe = BUNDLED) -> list[int]:
    """Documents separated by the end-of-text token, until at least `n_tokens` tokens."""
    ids: list[int] = []
    while len(ids) < n_tokens:
        ids += encode(document(rng, recipe)) + [eos_id]
    return ids
