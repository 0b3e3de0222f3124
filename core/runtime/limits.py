"""Limits that keep one visitor from holding a shared server: a time limit on long jobs, checked between their
steps, the largest image that is decoded at all, and the longest text that is tokenized at all.

A long job (an evaluation, a training run, a sweep) runs as a loop over steps; `time_limited` (or a `Deadline`
checked in the loop) stops it with a `TooLong` error, which the demos show like any input error, once
`GENAI_TIME_LIMIT_S` has passed, and with `Cancelled` as soon as the server says its visitor has left
(`set_cancel_check`).
"""

import os
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

TIME_LIMIT_ENV = "GENAI_TIME_LIMIT_S"
DEFAULT_TIME_LIMIT_S = 180.0
MAX_IMAGE_PIXELS = 3000 * 3000  # larger uploads are refused from the header, before their pixels are decoded
MAX_TEXT_CHARS = 20_000  # longer text is refused before a tokenizer sees it, whatever the model

T = TypeVar("T")


class TooLong(ValueError):
    """A job ran past the time limit; the message says what to ask for instead."""


class Cancelled(Exception):
    """The visitor who asked for a job has gone: nobody waits for its result."""


_visitor_left: Callable[[], bool] = lambda: False  # noqa: E731 - replaced by the server (apps.serving)


def set_cancel_check(visitor_left: Callable[[], bool]) -> None:
    """Install the server's test of whether the visitor of the current request has left (once, at start-up)."""
    global _visitor_left
    _visitor_left = visitor_left


def time_limit_s() -> float:
    """Seconds a long job may run: `GENAI_TIME_LIMIT_S`, else 180."""
    try:
        seconds = float(os.environ.get(TIME_LIMIT_ENV, "") or DEFAULT_TIME_LIMIT_S)
    except ValueError:
        raise ValueError(f"{TIME_LIMIT_ENV} must be a number of seconds, e.g. 180") from None
    return seconds if seconds > 0 else DEFAULT_TIME_LIMIT_S


class Deadline:
    """`check()` raises `TooLong` once `seconds` have passed since the deadline was made."""

    def __init__(self, what: str, seconds: float | None = None):
        self.what = what  # e.g. "ask for fewer questions"
        self.seconds = time_limit_s() if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def check(self) -> None:
        if _visitor_left():
            raise Cancelled("the visitor left: the job stops")
        if time.monotonic() > self.end:
            raise TooLong(f"this job ran past the server's time limit of {self.seconds:g} s: {self.what}")


def time_limited(items: Iterable[T], what: str, seconds: float | None = None) -> Iterator[T]:
    """The items of `items`, stopping with `TooLong` when the next one comes after the time limit."""
    deadline = Deadline(what, seconds)
    for item in items:
        deadline.check()
        yield item


_longest_token: "weakref.WeakKeyDictionary[object, int]" = weakref.WeakKeyDictionary()


def longest_token_chars(tokenizer) -> int:
    """The most characters one token of `tokenizer` can stand for: the length of its longest vocabulary entry.

    A vocabulary entry is written with at least one character per character of text it covers (byte-level BPE
    spells each byte as one character; SentencePiece and WordPiece add a marker), so its length bounds the text."""
    if tokenizer not in _longest_token:
        _longest_token[tokenizer] = max(map(len, tokenizer.get_vocab()), default=1)
    return _longest_token[tokenizer]


def check_text_fits(text: str, name: str, tokenizer, max_tokens: int, hint: str) -> None:
    """A ValueError, before any tokenizing, for `text` too long to fit `max_tokens` tokens of `tokenizer` (or longer
    than MAX_TEXT_CHARS): a huge paste is refused by its length alone, and never costs the server a tokenization."""
    limit = min(MAX_TEXT_CHARS, max_tokens * longest_token_chars(tokenizer))
    if len(text) > limit:
        raise ValueError(
            f"{name} is {len(text):,} characters long, but the model reads at most {max_tokens} tokens "
            f"(at most {limit:,} characters): {hint}"
        )
