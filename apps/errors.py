"""Bad input and unavailable models become a message in the page (and a clean API error), never a traceback."""

from collections.abc import Iterator
from contextlib import contextmanager

import gradio as gr

from core.runtime import ModelUnavailable


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn the `ValueError`s of core's input checks, and `ModelUnavailable`, into a `gr.Error` with their message."""
    try:
        yield
    except (ValueError, ModelUnavailable) as err:
        raise gr.Error(str(err)) from None
