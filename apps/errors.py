"""Bad input and unavailable models become a message in the page (and a clean API error), never a traceback.

`user_errors()` turns core's input errors into a short `gr.Error`; `guard(demo)` applies it to every event of a
demo, and to the decoding of its inputs, so a value no widget could send (a string for an image, NaN for a
number, a lone surrogate, an image of 100 megapixels) gets a message too, which names the input by its label.
Anything else is a bug: it is logged once, with its traceback, and the visitor sees a generic message without
the exception's text.
"""

import functools
import inspect
import logging
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr
from PIL import Image

from core.runtime import ModelUnavailable
from core.runtime.limits import MAX_IMAGE_PIXELS, Cancelled
from core.runtime.registry import wait_for_warm_up
from core.runtime.validate import shown

log = logging.getLogger("genai_demos")
MAX_MESSAGE = 400  # characters of an error message shown to a visitor
INTERNAL = "the server could not finish this request (the error is logged): try other settings, or try again later"
TOO_MANY_PIXELS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
TOO_LARGE = (
    f"the image is too large: send at most {MAX_IMAGE_PIXELS / 1e6:g} megapixels (e.g. 3000x3000), shrink it first"
)
TYPE_WORDS = {"str": "text", "int": "a number", "float": "a number", "bool": "true or false", "NoneType": "null"}
TYPE_WORDS |= {"list": "a list", "tuple": "a list", "dict": "a dict"}
GRADIO_TYPE = re.compile(r"\(type: <class '(\w+)'>\)")  # how Gradio's choice checks give a value's type
GRADIO_INDEX = re.compile(r"Could not preprocess input component at index (\d+) ")  # a component failed to read


def message(err: BaseException) -> str:
    return capped(err.message if isinstance(err, gr.Error) else str(err))


def capped(text: str) -> str:
    """`text` cut to MAX_MESSAGE characters."""
    return text if len(text) <= MAX_MESSAGE else text[: MAX_MESSAGE - 3] + "..."


def in_words(value: object) -> str:
    """What kind of value `value` is, in words, and the value cut short: "text 'abc'", "a number 7", "null"."""
    if value is None:
        return "null"
    return f"{TYPE_WORDS.get(type(value).__name__, 'a value')} {shown(value)}"


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the `ValueError`s of core's input checks, and `ModelUnavailable`, into a `gr.Error` with their
    message; log any other exception and answer with a generic `gr.Error`."""
    try:
        yield
    except gr.Error as err:
        err.print_exception = False  # a message for the visitor, not a traceback for the log
        err.message = message(err)
        forget_locals(err)
        raise
    except (ValueError, ModelUnavailable) as err:
        forget_locals(err)
        raise gr.Error(message(err), print_exception=False) from None
    except Cancelled as err:
        forget_locals(err)
        raise gr.Error(
            "stopped: Stop was pressed or the page that asked for this was closed", print_exception=False
        ) from None
    except Exception as err:
        log.exception("unexpected error in a demo")
        forget_locals(err)
        raise gr.Error(INTERNAL, print_exception=False) from None


def forget_locals(err: BaseException) -> None:
    """Drop the local variables of the finished frames in `err`'s traceback (and its context's).

    An error that reaches the server is kept in a reference cycle (the server's frame holds the error, whose
    traceback holds that frame) until Python's cycle collector runs, which can take minutes; the frames' locals
    stay alive with it: the tokens of a refused 1-MB prompt kept about 70 MB each (`bench/soak.py`)."""
    while err is not None:
        traceback.clear_frames(err.__traceback__)
        err = err.__context__


def warm_up_modules(demo: gr.Blocks) -> list[str] | None:
    """The modules that register the models of `demo`'s catalog entry, for which its requests wait during a warm-up
    (`core.runtime.wait_for_warm_up`); None for a demo that is no app of the catalog (it waits for everything)."""
    from apps.catalog import DEMOS
    from core.runtime.specs import REGISTERED_BY

    for entry in DEMOS:
        if getattr(sys.modules.get(f"apps.{entry.name}"), "demo", None) is demo:
            return [REGISTERED_BY[m] for m in entry.models if m in REGISTERED_BY]
    return None


def _guarded(fn, modules: list[str] | None = None):
    """`fn` run inside `user_errors()`, of the same kind (function, generator or coroutine) and signature, once
    the warm-up has imported `modules` (`warm_up_modules`)."""
    if inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        def generator(*args, **kwargs):
            wait_for_warm_up(modules)
            with user_errors():
                yield from fn(*args, **kwargs)

        return generator
    if inspect.isasyncgenfunction(fn) or inspect.iscoroutinefunction(fn):
        return fn  # none of the demos has one; Gradio reports their errors itself

    @functools.wraps(fn)
    def call(*args, **kwargs):
        wait_for_warm_up(modules)
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


def _culprit(block_fn, inputs: list, state, err: Exception) -> tuple[gr.components.Component, object, Exception] | None:
    """The input component that could not read its value, that value and its error; None if none is found. Gradio
    gives the input's index when the component's own reading failed; else each input is read again on its own (a
    file's value only checked against its data model: opening the file is Gradio's job, after the upload)."""
    failed = GRADIO_INDEX.match(str(err))
    for i, (block, value) in enumerate(zip(block_fn.inputs, inputs, strict=False)):
        if block.stateful or (failed and i != int(failed[1])):
            continue
        if state is not None and block._id in state:
            block = state[block._id]  # the page's copy, e.g. a menu whose choices an event changed
        if i in block_fn.component_prop_inputs and isinstance(value, dict):
            value = value.get("value")
        if failed:
            return block, value, err.__cause__ or err
        try:
            if getattr(block, "data_model", None) is None:
                block.preprocess(value)
            elif value is not None:
                block.data_model.model_validate(value, context={"validate_meta": True})
        except (gr.Error, ValueError, TypeError, ArithmeticError) as own:  # Gradio's checks and conversions
            return block, value, own
    return None


def _expected(block: gr.components.Component) -> str:
    """What `block` reads, in words: "a number from 1 to 600", "one of greedy, sample", ..."""
    choices = ", ".join(str(value) for _, value in getattr(block, "choices", None) or [])
    if isinstance(block, gr.CheckboxGroup) or (isinstance(block, gr.Dropdown) and block.multiselect):
        return f"a list of some of {choices}"
    if isinstance(block, gr.Radio | gr.Dropdown):
        return f"one of {choices}"
    if isinstance(block, gr.Number | gr.Slider):
        low, high = block.minimum, block.maximum
        bounds = f" from {low:g} to {high:g}" if low is not None and high is not None else ""
        return f"a number{bounds}"
    if isinstance(block, gr.Checkbox):
        return "true or false"
    if getattr(block, "data_model", None) is not None:
        return "a file uploaded first, as the API page shows it"
    return "a value as the API page shows it"


def unreadable(block: gr.components.Component, value: object, err: Exception) -> gr.Error:
    """A `gr.Error` that names `block` by its label: the message of Gradio's own check of `value` (`err` a
    `gr.Error`, e.g. a slider's range) with the value's type in words, or else what the component reads."""
    label = block.label or block.get_block_name()
    if isinstance(err, TOO_MANY_PIXELS):
        return gr.Error(f"{label}: {TOO_LARGE}", print_exception=False)
    if isinstance(err, gr.Error):
        text = GRADIO_TYPE.sub(lambda m: f"({TYPE_WORDS.get(m[1], 'a value')})", err.message)
        return gr.Error(capped(f"{label}: {text}"), print_exception=False)
    text = f"{label} must be {_expected(block)}, got {in_words(value)}. Send each value as the API page shows it."
    return gr.Error(capped(text), print_exception=False)


def guard(demo: gr.Blocks) -> gr.Blocks:
    """Run every event function of `demo`, and the decoding of its inputs, under `user_errors()` (idempotent)."""
    if getattr(demo, "_guarded", False):
        return demo
    modules = warm_up_modules(demo)
    for block_fn in demo.fns.values():
        if block_fn.fn is not None:
            block_fn.fn = _guarded(block_fn.fn, modules)
    preprocess = demo.preprocess_data

    @functools.wraps(preprocess)
    async def preprocess_data(block_fn, inputs, state, *args, **kwargs):
        try:
            _check_strings(inputs)
            return await preprocess(block_fn, inputs, state, *args, **kwargs)
        except Exception as err:
            culprit = _culprit(block_fn, inputs, state, err) if isinstance(err, ValueError | gr.Error) else None
            if culprit is not None:  # a value of the wrong type, shape or range for its component
                raise unreadable(*culprit) from None
            if isinstance(err, TOO_MANY_PIXELS) or isinstance(err.__cause__, TOO_MANY_PIXELS):
                raise gr.Error(TOO_LARGE, print_exception=False) from None
            if isinstance(err, gr.Error):  # Gradio's own check of a value it does not tie to one input
                err.print_exception = False
                err.message = message(err)
                raise
            if isinstance(err, ValueError):
                first = message(err).split("\n")[0]  # the rest repeats the value, file paths included
                raise gr.Error(f"{first} Send each value as the API page shows it.", print_exception=False) from None
            log.exception("unexpected error while reading a request's inputs")
            raise gr.Error(INTERNAL, print_exception=False) from None

    demo.preprocess_data = preprocess_data
    demo._guarded = True
    return demo
