"""Answer extraction: the text after the last "the answer is" of the model's first reply, normalised."""

import re

NEXT_QUESTION = "\nQ:"  # a model that starts another worked example has finished its reply
ANSWER = re.compile(r"answer is\s*(.*?)\s*(?:\.(?:\s|$)|\n|$)", re.IGNORECASE)


LEAD = "The answer is"  # an answer-only prompt ends with it: the model must answer before it can reason


def with_lead(prompt: str, reply: str) -> str:
    """The reply as the answer is read from it: after a prompt that ends with LEAD, the reply is the answer."""
    return LEAD + reply if prompt.rstrip().endswith(LEAD) else reply


def first_reply(generation: str) -> str:
    """The generation up to the next worked example (the model may go on writing questions)."""
    return generation.split(NEXT_QUESTION, 1)[0]


def normalise(answer: str) -> str:
    return answer.strip().strip("\"'").rstrip(".").strip().lower()


def extract(generation: str) -> str | None:
    """The extracted answer, or None when the reply never says "the answer is"."""
    found = ANSWER.findall(first_reply(generation))
    return normalise(found[-1]) if found else None


DIRECT = re.compile(r"\s*(so )?the answer is\b", re.IGNORECASE)
BARE_WORDS = 3  # a reply of at most this many words and no "the answer is" is a bare answer


def mode(reply: str) -> str:
    """ "direct" when the reply gives its answer at once ("The answer is X." or the answer alone), else "chain"."""
    line = reply.strip().split("\n", 1)[0]
    if DIRECT.match(line):
        return "direct"
    if "answer is" in line.lower():
        return "chain"
    return "direct" if len(line.split()) <= BARE_WORDS else "chain"


def read_answer(reply: str) -> str:
    """The answer in a reply: after "the answer is" where the reply says it, else its first line, normalised."""
    said = extract(reply)
    if said is not None:
        return said
    lines = reply.strip().splitlines()
    return normalise(lines[0]) if lines else ""


def is_correct(generation: str, truth: str) -> bool:
    answer = extract(generation)
    return answer is not None and answer == normalise(truth)
