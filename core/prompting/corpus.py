"""The pre-training corpus: generated *documents*, as a base model would read on the web.

A document is a run of worked question-answer items of one task family, or a roster of facts that
is listed and then repeated. Its format is drawn at random, so only the document itself says how it
goes on: the separators (`Q:`/`A:`, `Question:`/`Answer:`, `Input:`/`Output:`), an optional
instruction line, whether answers show their reasoning ("... So the answer is X.", the notes'
exemplar format) or not ("The answer is X.", only for short problems: see DIRECT_MAX), whether a
reasoning answer opens with "Let's think step by step.", and, for coin flips, the answer words: half
the documents use yes/no, the other half two unrelated words (`blue`/`red`, `7`/`3`, ...) assigned at random, which only the examples reveal
(Wei et al. 2023). Those documents mostly hold short flips (1-2 people) answered without a chain: the
flip itself is then easy, so what the next answer word needs is the examples' mapping, and the loss
rewards reading it. Rosters repeat key-value facts, and repeat documents repeat a run of random words:
the repeated text from which induction heads form (Olsson et al. 2022). Test questions are never drawn
(hash split in `core.prompting.tasks`).
"""

import random

from core.prompting.prompts import Format, notes_example, worked_example
from core.prompting.tasks import sample
from core.prompting.tasks.families import FAMILIES
from core.prompting.tasks.names import NAMES
from core.prompting.words import LABEL_WORDS, ROSTER_VALUES

TASK_WEIGHTS = {"coin_flip": 0.35, "arithmetic": 0.3, "last_letter": 0.15, "dates": 0.2}
SEPARATORS = ((("Q:", "A:"), 0.6), (("Question:", "Answer:"), 0.2), (("Input:", "Output:"), 0.2))
INSTRUCTIONS = {
    "coin_flip": "Answer yes or no.",
    "last_letter": "Answer with the letters only.",
    "arithmetic": "Answer with a number.",
    "dates": "Answer with a date in MM/DD/YYYY.",
}
GENERIC_INSTRUCTION = "Answer the question."
ROSTER_SHARE = 0.2
REPEAT_SHARE = 0.25
CHAIN_SHARE = 0.5  # documents whose answers show their reasoning
THINK_SHARE = 0.25  # reasoning documents whose answers open with "Let's think step by step."
UNRELATED_LABEL_SHARE = 0.5  # coin-flip documents with two random answer words instead of yes/no
LABEL_CHAIN_SHARE = 0.3  # of those, documents whose answers show their reasoning
LABEL_HEADER_SHARE = 0.8  # of those, documents that open by naming the two words
LABEL_LENGTHS = (1, 2)  # flips short enough to answer without a chain
# The longest problems a document answers without showing its reasoning. Longer ones are always worked
# step by step, as on the web, where a hard problem's answer rarely stands alone: the "locality of
# experience" under which Prystawski et al. 2023 find that reasoning step by step beats answering at once.
DIRECT_MAX = {"coin_flip": 4, "arithmetic": 2, "last_letter": 3, "dates": 1}
MAX_LABEL_ITEMS = 16
INSTRUCTION_SHARE = 0.3
NOTES_SHARE = 0.05  # documents that open with the notes' exemplar of their family
MAX_ITEMS = 9
CHAR_BUDGET = 3000  # a document stops adding items past this many characters (about 900 tokens)
ROSTER_TEMPLATES = (
    "{k} is on team {v}.",
    "{k} sits in seat {v}.",
    "{k} has the {v} card.",
    "{k} likes {v}.",
    "The locker of {k} is {v}.",
    "{k}: {v}.",
)
REPEAT_WORDS = (10, 80)  # length of the run a repeat document writes twice


def pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


def answer_words(rng: random.Random) -> tuple[str, str]:
    """The words written for "yes" and "no": two fresh unrelated words, in a random role each."""
    yes, no = rng.sample(LABEL_WORDS, 2)
    return yes, no


def label_instruction(yes: str, no: str, rng: random.Random) -> str:
    first, second = (yes, no) if rng.random() < 0.5 else (no, yes)
    return f"Answer with {first} or {second}."


def qa_document(rng: random.Random) -> str:
    """Worked items of one family in one randomly drawn format."""
    task = pick(rng, TASK_WEIGHTS.items())
    family = FAMILIES[task]
    unrelated = task == "coin_flip" and rng.random() < UNRELATED_LABEL_SHARE
    chain = rng.random() < (LABEL_CHAIN_SHARE if unrelated else CHAIN_SHARE)
    fmt = Format(
        labels=pick(rng, SEPARATORS),
        chain=chain,
        think=chain and rng.random() < THINK_SHARE,
    )
    header, lengths, max_items = "", family.train_lengths, MAX_ITEMS
    if unrelated:
        yes, no = answer_words(rng)
        fmt = fmt.with_answer_words(yes, no)
        header = label_instruction(yes, no, rng) if rng.random() < LABEL_HEADER_SHARE else ""
        lengths, max_items = (lengths, MAX_ITEMS) if chain else (LABEL_LENGTHS, MAX_LABEL_ITEMS)
    elif rng.random() < INSTRUCTION_SHARE:
        header = rng.choice((INSTRUCTIONS[task], GENERIC_INSTRUCTION))
    if not chain and not unrelated:
        lengths = tuple(n for n in lengths if n <= DIRECT_MAX[task])
    items = []
    if rng.random() < NOTES_SHARE and fmt.is_notes_format:
        items.append(notes_example(task, chain))
    n_items, size = rng.randint(1, max_items), len(header)
    while len(items) < n_items and (not items or size < CHAR_BUDGET):
        problem = sample(family, rng, rng.choice(lengths), "train")
        items.append(worked_example(problem, fmt))
        size += len(items[-1])
    separator = rng.choice(("\n\n", "\n"))
    return separator.join(([header] if header else []) + items)


def roster_document(rng: random.Random) -> str:
    """Facts listed once, then some of them repeated in another order: text that rewards copying
    what followed the same words earlier (an induction head)."""
    template = rng.choice(ROSTER_TEMPLATES)
    keys = rng.sample(NAMES, rng.randint(2, 12))
    facts = {k: rng.choice(ROSTER_VALUES) for k in keys}
    listed = [template.format(k=k, v=v) for k, v in facts.items()]
    again = rng.sample(keys, rng.randint((len(keys) + 1) // 2, len(keys)))
    repeated = [template.format(k=k, v=facts[k]) for k in again]
    return "\n".join(listed) + "\n" + rng.choice(("Again:", "Later:", "Checked:")) + "\n" + "\n".join(repeated)


def repeat_document(rng: random.Random) -> str:
    """A run of random names and words, written twice: every word of the second copy can be
    predicted only by finding the same word in the first and copying the one after it."""
    words = " ".join(rng.choices(NAMES + ROSTER_VALUES, k=rng.randint(*REPEAT_WORDS)))
    return f"{words}\n{words}"


def document(rng: random.Random) -> str:
    """One training document of a random kind, task, length and format."""
    draw = rng.random()
    if draw < ROSTER_SHARE:
        return roster_document(rng)
    if draw < ROSTER_SHARE + REPEAT_SHARE:
        return repeat_document(rng)
    return qa_document(rng)


def token_stream(rng: random.Random, encode, eos_id: int, n_tokens: int) -> list[int]:
    """Documents separated by the end-of-text token, until at least `n_tokens` tokens."""
    ids: list[int] = []
    while len(ids) < n_tokens:
        ids += encode(document(rng)) + [eos_id]
    return ids
