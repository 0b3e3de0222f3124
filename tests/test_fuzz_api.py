"""Every endpoint of every demo, called through gradio_client with values of the wrong kind: each call ends in an
answer or a message, never in an unexpected exception, and the server keeps answering. A fast slice of
`python -m bench.fuzz_api`: two hypothesis examples per endpoint (the full run draws 25), and one bad value with
every other value valid in the parameters that once ended in the generic message (the full run: all of them)."""

import pytest

from apps.catalog import gradio_demos
from bench.fuzz_api import ENVIRONMENT, FAILURES, HOSTILE, fuzz_demo

EXAMPLES = 2
ONE_BAD = {  # demo -> endpoint -> the parameters made bad, one at a time (None: every parameter)
    "prompting": {"/generate": None, "/generate_tokens": ("prompt",), "/evaluate": None, "/describe_problem": None},
    "text_to_image": {"/forward": ("caption",), "/inpaint_image": ("caption",)},
    "transfer": {"/compare": ("seed",), "/claims": ("seed",), "/text_classify": ("sentence",)},
}


@pytest.fixture
def fuzz_environment(monkeypatch):
    for key, value in ENVIRONMENT.items():
        monkeypatch.setenv(key, value)


@pytest.mark.parametrize("name", [d.name for d in gradio_demos()])
def test_bad_values_on_every_endpoint_get_a_message_and_the_server_survives(name, fuzz_environment, one_torch_thread):
    tally = fuzz_demo(f"apps.{name}", EXAMPLES, one_bad=False)
    assert sum(tally.counts.values()) >= EXAMPLES
    assert not any(tally.counts[f] for f in FAILURES), "\n".join(tally.failures)


@pytest.mark.parametrize("name", list(ONE_BAD))
def test_one_bad_value_gets_a_short_message_that_names_its_parameter(name, fuzz_environment, one_torch_thread):
    tally = fuzz_demo(f"apps.{name}", 0, only=ONE_BAD[name])
    assert not any(tally.counts[f] for f in FAILURES), "\n".join(tally.failures)
    endpoints = len(ONE_BAD[name])
    assert sum(tally.counts.values()) >= endpoints * len(HOSTILE)
    assert tally.counts["refused with a message"] >= endpoints
