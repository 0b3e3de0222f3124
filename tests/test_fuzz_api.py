"""Every endpoint of every demo, called through gradio_client with values of the wrong kind: each call ends in an
answer or a message, never in an unexpected exception, and the server keeps answering. A fast slice of
`python -m bench.fuzz_api` (two hypothesis examples per endpoint; the full run draws 25)."""

import pytest

from apps.catalog import gradio_demos
from bench.fuzz_api import ENVIRONMENT, FAILURES, fuzz_demo

EXAMPLES = 2


@pytest.mark.parametrize("name", [d.name for d in gradio_demos()])
def test_bad_values_on_every_endpoint_get_a_message_and_the_server_survives(name, monkeypatch, one_torch_thread):
    for key, value in ENVIRONMENT.items():
        monkeypatch.setenv(key, value)
    tally = fuzz_demo(f"apps.{name}", EXAMPLES)
    assert sum(tally.counts.values()) >= EXAMPLES
    assert not any(tally.counts[f] for f in FAILURES), "\n".join(tally.failures)
