"""Built-in raters: they stand in for a student ranking answers, so feedback tuning runs with one click.

A rater scores one reply to one question; ranking several replies by score gives the preference pairs a
reward model learns from. "longer" is a deliberately flawed reward: it prefers long replies whatever they say,
so a policy optimised against it learns to ramble (reward hacking; Gao et al. 2022). Every rater is judged
against the same gold standard, correctness, to show when the proxy and the truth part ways.
"""

from core.prompting.answers import extract, normalise
from core.prompting.tasks import Problem
from core.tuning.instructions import first_line

RATERS = {
    "correct_concise": "Correct and concise (right answer first, then the shortest)",
    "shows_steps": "Shows its reasoning (right answer, and one point per reasoning sentence)",
    "longer": "Flawed: longer is better (one point per 10 characters)",
}


def answer_of(reply: str) -> str | None:
    """The answer a reply gives: after "the answer is", else the whole first line."""
    found = extract(reply)
    if found is not None:
        return found
    line = normalise(first_line(reply))
    return line or None


def is_right(reply: str, problem: Problem) -> bool:
    """The gold standard: does the reply give the right answer?"""
    return answer_of(reply) == normalise(problem.answer)


def rate(rater: str, reply: str, problem: Problem) -> float:
    """The rater's score for `reply` (higher is better)."""
    text = first_line(reply)
    if rater == "correct_concise":
        return float(is_right(reply, problem)) - len(text) / 200
    if rater == "shows_steps":
        return float(is_right(reply, problem)) + 0.25 * min(text.count(". "), 6)
    if rater == "longer":
        return min(len(text), 300) / 10
    raise ValueError(f"unknown rater {rater!r}: choose one of {', '.join(RATERS)}")
