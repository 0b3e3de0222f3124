"""Fuzz every endpoint of every Gradio demo with bad values of each parameter's type.

    python -m bench.fuzz_api [--examples 25] [--demo NAME ...]

`gradio_client` reads each demo's API page; every endpoint it lists is then called over Gradio's HTTP API, as
any client can call it (NaN and infinities as JSON literals, files uploaded first). Hypothesis draws calls in
which at least one parameter is bad for its type (NaN, infinities, huge numbers, numbers as text, lone
surrogates, 100 000 characters, paths, hub ids, dicts pointing at /etc/passwd, a 10000x10000 PNG of 300 KB, ...)
and the others are bad too or the endpoint's defaults. Each call must end in an answer or a `gr.Error` with a
message of its own, never in the generic message of an unexpected exception or an error without a message, and
the server must still answer afterwards. Runs as a public server (`GENAI_PUBLIC=1`) with a 20 s time limit.
Prints the counts per demo; exits 1 if any call failed that way. `tests/test_fuzz_api.py` runs a small slice.
"""

import argparse
import importlib
import json
import math
import os
import socket
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

CALL_TIMEOUT_S = 120.0
ENVIRONMENT = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "GENAI_PUBLIC": "1",  # a visitor of a public link
    "GENAI_TIME_LIMIT_S": "20",  # a valid but long job stops soon
}
OUTCOMES = ("answered", "refused with a message", "slow", "unhandled", "server down")
FAILURES = ("unhandled", "server down")


def huge_png() -> str:
    """A 10000x10000 one-colour PNG: about 300 KB on disk, 400 MB once decoded."""
    path = Path(tempfile.gettempdir()) / "genai-demos-fuzz-10000x10000.png"
    if not path.exists():
        from PIL import Image

        Image.new("L", (10_000, 10_000)).save(path, optimize=True)
    return str(path)


NUMBERS = [math.nan, math.inf, -math.inf, -1e308, 1e308, 10**30, -1, 0, 2.5, "12", "abc", "", None, True, [], {}]
TEXTS = ["", "   ", "\ud800", "x" * 100_000, "/etc/passwd", "../../root/.ssh", "bigscience/bloom", 123, None, 1.5]
FILES = ["/etc/passwd", {"path": "/etc/passwd"}, {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}, 123]
FILES += [None, {}, [], "http://127.0.0.1:9/x.png", {"background": "/etc/passwd", "layers": [], "composite": None}]


def bad_values(param: dict) -> st.SearchStrategy:
    """Bad values for one parameter, by the type the API page gives it."""
    kind = str(param.get("python_type", {}).get("type", "")).lower()
    component = str(param.get("component", "")).lower()
    if component in ("image", "imageeditor", "sketchpad", "file", "gallery") or "filepath" in kind or "path" in kind:
        from gradio_client import handle_file

        return st.sampled_from(FILES) | st.sampled_from([handle_file(huge_png()), handle_file(__file__)])
    if kind in ("float", "int") or component in ("number", "slider"):
        return st.sampled_from(NUMBERS) | st.floats(allow_nan=True, allow_infinity=True) | st.integers()
    if kind == "bool" or component == "checkbox":
        return st.sampled_from(["yes", 2, None, [], -1.0])
    if kind.startswith("list") or component in ("checkboxgroup", "dataframe"):
        return st.sampled_from(["not a list", [None], [math.nan], [["x"] * 3] * 3, None]) | st.lists(
            st.text(), max_size=3
        )
    return st.sampled_from(TEXTS) | st.text(max_size=30) | st.integers()


def call_strategy(params: list[dict]) -> st.SearchStrategy:
    """Argument lists with at least one bad value; each other argument is bad or the endpoint's default."""
    defaults = [p.get("parameter_default") for p in params]

    @st.composite
    def draw(data):
        worst = data(st.integers(0, len(params) - 1))
        args = []
        for i, p in enumerate(params):
            bad = bad_values(p)
            args.append(data(bad) if i == worst else data(st.just(defaults[i]) | bad))
        return args

    return draw()


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def upload(url: str, value: object) -> object:
    """`value` with each local file of a `handle_file(...)` uploaded first, as the browser does."""
    import httpx

    if (
        isinstance(value, dict)
        and value.get("meta", {}).get("_type") == "gradio.FileData"
        and Path(value["path"]).is_file()
    ):
        with open(value["path"], "rb") as f:
            stored = httpx.post(url + "gradio_api/upload", files={"files": (Path(value["path"]).name, f)}, timeout=60)
        if stored.status_code == 200:
            return {**value, "path": stored.json()[0]}
    return value


def classify(url: str, endpoint: str, args: list) -> tuple[str, str]:
    """Call `endpoint` over HTTP the way any client can (NaN and infinities as JSON literals): the outcome, one of
    OUTCOMES, and a note."""
    import httpx

    from apps.errors import INTERNAL

    body = json.dumps({"data": [upload(url, a) for a in args]}, allow_nan=True)
    name = endpoint.lstrip("/")
    try:
        joined = httpx.post(
            url + f"gradio_api/call/{name}", content=body, headers={"content-type": "application/json"}, timeout=60
        )
        if joined.status_code >= 500:
            return "unhandled", f"HTTP {joined.status_code} on joining"
        if joined.status_code != 200:
            return "refused with a message", f"HTTP {joined.status_code}: {joined.text[:80]}"
        event_id = joined.json()["event_id"]
        event = None
        with httpx.stream("GET", url + f"gradio_api/call/{name}/{event_id}", timeout=CALL_TIMEOUT_S) as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    if event == "complete":
                        return "answered", ""
                    text = json.loads(line[5:] or "null")
                    if not text or text == INTERNAL:
                        return "unhandled", str(text)
                    return "refused with a message", str(text)[:80]
        return "unhandled", "the event stream ended without a result"
    except httpx.TimeoutException:
        return "slow", ""


def server_answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url + "config", timeout=30).status_code == 200
    except httpx.HTTPError:
        return False


def fuzz_endpoint(url: str, endpoint: str, params: list[dict], examples: int, tally: Tally) -> None:
    """Run `examples` hypothesis examples against one endpoint, counting outcomes into `tally`."""
    if not params:
        outcome, note = classify(url, endpoint, [])
        tally.counts[outcome] += 1
        return

    @settings(
        max_examples=examples,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(call_strategy(params))
    def run(args):
        outcome, note = classify(url, endpoint, args)
        if outcome not in FAILURES and not server_answers(url):
            outcome, note = "server down", ""
        tally.counts[outcome] += 1
        if outcome in FAILURES:
            tally.failures.append(f"{endpoint} {[repr(a)[:40] for a in args]}: {outcome} {note}")

    run()


def launch(module: str):
    """The demo of `apps.<module>` with the suite's limits, served on a free port; its URL and a client."""
    from gradio_client import Client

    from apps.serving import MAX_FILE_SIZE, prepare

    demo = prepare(importlib.import_module(module).demo)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _, url, _ = demo.launch(
        prevent_thread_lock=True, server_port=port, quiet=True, max_file_size=MAX_FILE_SIZE, show_error=False
    )
    client = Client(url, verbose=False, download_files=tempfile.mkdtemp(prefix="genai-demos-fuzz-"))
    return demo, url, client


def endpoints(client) -> dict[str, list[dict]]:
    api = client.view_api(print_info=False, return_format="dict")
    return {name: info["parameters"] for name, info in api["named_endpoints"].items()}


def fuzz_demo(module: str, examples: int) -> Tally:
    demo, url, client = launch(module)
    tally = Tally()
    try:
        for endpoint, params in endpoints(client).items():
            fuzz_endpoint(url, endpoint, params, examples, tally)
    finally:
        client.close()
        demo.close()
    return tally


def main(argv: list[str] | None = None) -> int:
    from apps.catalog import gradio_demos

    names = [d.name for d in gradio_demos()]
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz_api", description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=25, help="hypothesis examples per endpoint (default 25)")
    parser.add_argument("--demo", action="append", choices=names, help="default: every Gradio demo")
    args = parser.parse_args(argv)
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    total, failures = Counter(), []
    for name in args.demo or names:
        tally = fuzz_demo(f"apps.{name}", args.examples)
        total += tally.counts
        failures += tally.failures
        print(
            f"{name:15} {sum(tally.counts.values()):5} calls  "
            + "  ".join(f"{o}: {tally.counts[o]}" for o in OUTCOMES),
            flush=True,
        )
    print(f"{'all':15} {sum(total.values()):5} calls  " + "  ".join(f"{o}: {total[o]}" for o in OUTCOMES))
    for line in failures:
        print("FAILED", line)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
