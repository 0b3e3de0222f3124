"""Layouts: how a document writes its question-answer items, drawn compositionally from pools.

An item is `question + block + " " + answer`, e.g. "Q: <question>\\nA: <answer>" or "<question> = <answer>".
The corpus draws a layout per document from the trained pools: marker words (Q/A, Input/Output, ...),
a marker style ("Q:", "Q -", "(Q)", ...) and a joiner, or an infix separator with no markers. HELD_OUT
holds layouts whose keywords, separators, brackets or arrows no trained layout uses, and the corpus
rejects every document that contains one of HELD_OUT_MARKS: a model that answers in them has carried
the pattern of its prompt over, not recalled a layout it saw.
"""

import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Layout:
    question: str = "Q: "  # written before the question
    answer: str = "\nA:"  # written after the question; the answer follows after one space

    def block(self, question: str) -> str:
        """The question, up to the answer slot: where a prompt ends."""
        return f"{self.question}{question}{self.answer}"

    def item(self, question: str, answer: str) -> str:
        return f"{self.block(question)} {answer}"


NOTES = Layout()  # the notes' exemplar format, Q:/A:
MARKER_WORDS = (
    ("Q", "A"), ("Question", "Answer"), ("Input", "Output"), ("Text", "Label"), ("In", "Out"),
    ("Example", "Result"), ("Sample", "Class"), ("Item", "Tag"), ("Case", "Outcome"), ("Query", "Response"),
    ("X", "Y"), ("Data", "Target"), ("Prompt", "Completion"), ("Ask", "Reply"), ("Word", "Meaning"),
)  # fmt: skip
MARKER_STYLES = ("{w}:", "{w} -", "({w})", "{w}=", "{w} :", "{w}.", "{w})", "*{w}*")
ENCLOSED_STYLES = (  # more pairs of characters around a marker word, none a held-out one ("[", "<")
    "{{{w}}}", "«{w}»", "/{w}/", "'{w}'", '"{w}"', "_{w}_", "+{w}+", "~{w}~", "%{w}%", "`{w}`", "({w}):", "{{{w}}}:",
)  # fmt: skip
INFIXES = (" =", " :", " ::", " ~", " --", " ..", " is", " gives", " means", ",", " ==")
TRAINED = {  # a few trained layouts by name, for comparisons with the held-out ones
    "Q:/A:": NOTES,
    "Question:/Answer:": Layout("Question: ", "\nAnswer:"),
    "Input:/Output:": Layout("Input: ", "\nOutput:"),
    "x = y": Layout("", " ="),
}
HELD_OUT = {
    "Problem:/Solution:": Layout("Problem: ", "\nSolution:"),  # keywords
    "x -> y": Layout("", " ->"),  # arrow
    "[Q] / [A]": Layout("[Q] ", "\n[A]"),  # brackets
    "x | y": Layout("", " |"),  # separator
    "<in> x <out>": Layout("<in> ", " <out>"),  # angle brackets
    "x => y": Layout("", " =>"),  # double arrow
}
HELD_OUT_MARKS = ("->", "=>", "[", "]", "|", "<", ">", "Problem", "Solution")


def trained_layout(
    rng: random.Random, words: tuple[str, str] | None = None, styles: tuple[str, ...] = MARKER_STYLES
) -> Layout:
    """A layout from the trained pools: markers with a style (one of `styles`) and joiner (3 in 4), or an infix.
    `words` replaces the marker words (or the infix) with words drawn elsewhere, e.g. random token pieces."""
    if rng.random() < 0.25:
        return Layout("", " " + words[0] if words else rng.choice(INFIXES))
    q, a = words or rng.choice(MARKER_WORDS)
    case = rng.choice((str, str, str.lower, str.upper))
    style = rng.choice(styles)
    joiner = "\n" if rng.random() < 0.8 else " "
    return Layout(style.format(w=case(q)) + " ", joiner + style.format(w=case(a)))
