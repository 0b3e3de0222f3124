"""Bad input and unavailable models become a message in the page (and a clean API error), never a traceback.

`user_errors()` turns core's input errors into a short `gr.Error`; `guard(demo)` applies it to every event of a
demo, and to the decoding of its inputs, so a value no widget could send (a string for an image, NaN for a
number, a lone surrogate, an image of 100 megapixels) gets a message too. Anything else is a bug: it is logged
once, with its traceback, and the visitor sees a generic message without the exception's text.
"""

import functools
import inspect
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr
from PIL import Image

from core.runtime import ModelUnavailable
from core.runtime.limits import MAX_IMAGE_PIXELS, Cancelled
from core.runtime.registry import wait_for_warm_up

log = logging.getLogger("genai_demos")
MAX_MESSAGE = 400  # characters of an error message shown to a visitor
INTERNAL = "the server could not finish this request (the error is logged): try other settings, or try again later"
TOO_MANY_PIXELS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
TOO_LARGE = (
    f"the image is too large: send at most {MAX_IMAGE_PIXELS / 1e6:g} megapixels (e.g. 3000x3000), shrink it first"
)


def message(err: BaseException) -> str:
    text = str(err)
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the `ValueError`s of core's input checks, and `ModelUnavailable`, into a `gr.Error` with their
    message; log any other exception and answer with a generic `gr.Error`."""
    try:
        yield
    except gr.Error as err:
        err.print_exception = False  # a message for the visitor, not a traceback for the log
        raise
    except (ValueError, ModelUnavailable) as err:
        raise gr.Error(message(err), print_exception=False) from None
    except Cancelled:
        raise gr.Error(
            "stopped: Stop was pressed or the page that asked for this was closed", print_exception=False
        ) from None
    except Exception:
        log.exception("unexpected error in a demo")
        raise gr.Error(INTERNAL, print_exception=False) from None


def _guarded(fn):
    """`fn` run inside `user_errors()`, of the same kind (function, generator or coroutine) and signature."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args, **kwargs):
            wait_for_warm_up()
            with user_errors():
                yield from fn(*args, **kwargs)

        return generator
    if inspect.isasyncgenfunction(fn) or inspect.iscoroutinefunction(fn):
        return fn  # none of the demos has one; Gradio reports their errors itself

    @functools.wraps(fn)
    def call(*args, **kwargs):
        wait_for_warm_up()
        with user_errors():
            return fn(*args, **kwargs)

    return call


def _check_strings(value: object) -> None:
    """A ValueError for text that is not valid Unicode (a lone surrogate), anywhere in an input."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError(
                "the input holds characters that are not valid text (a lone surrogate): retype it"
            ) from None
    elif isinstance(value, list | tuple):
        for item in value:
            _check_strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            _check_strings(item)


def guard(demo: gr.Blocks) -> gr.Blocks:
    """Run every event function of `demo`, and the decoding of its inputs, under `user_errors()` (idempotent)."""
    if getattr(demo, "_guarded", False):
        return demo
    for block_fn in demo.fns.values():
        if block_fn.fn is not None:
            block_fn.fn = _guarded(block_fn.fn)
    preprocess = demo.preprocess_data

    @functools.wraps(preprocess)
    async def preprocess_data(block_fn, inputs, state, *args, **kwargs):
        try:
            _check_strings(inputs)
            return await preprocess(block_fn, inputs, state, *args, **kwargs)
        except Exception as err:
            if isinstance(err, TOO_MANY_PIXELS) or isinstance(err.__cause__, TOO_MANY_PIXELS):
                raise gr.Error(TOO_LARGE, print_exception=False) from None
            if isinstance(err, gr.Error):  # Gradio's own check of a value, e.g. a slider's range
                err.print_exception = False
                raise
            if isinstance(err, ValueError):  # a value of the wrong type or shape for its component
                first = message(err).split("\n")[0]  # the rest repeats the value, file paths included
                raise gr.Error(f"{first} Send each value as the API page shows it.", print_exception=False) from None
            log.exception("unexpected error while reading a request's inputs")
            raise gr.Error(INTERNAL, print_exception=False) from None

    demo.preprocess_data = preprocess_data
    demo._guarded = True
    return demo
