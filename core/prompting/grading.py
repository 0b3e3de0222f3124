"""Grading a reply: the answer read from it (`core.prompting.answers`), right or wrong against the ground truth,
and the share of right answers over many."""

from collections.abc import Iterable

from core.prompting.answers import extract, is_correct, with_lead


def share_right(marks: Iterable[bool]) -> float:
    """The accuracy of right (True) and wrong (False) marks."""
    marks = list(marks)
    return sum(marks) / len(marks)


def verdict(prompt: str, reply: str, truth: str) -> str:
    """The extracted answer and whether it is right, or why none was found, in a sentence."""
    text = with_lead(prompt, reply)
    answer = extract(text)
    if answer is None:
        return f'No answer found: the reply never says "the answer is". Ground truth: `{truth}`.'
    mark = "**right**" if is_correct(text, truth) else "**wrong**"
    return f"Extracted answer: `{answer}`: {mark} (ground truth `{truth}`)."
