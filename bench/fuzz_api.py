"""Fuzz every endpoint of every Gradio demo with bad values of each parameter's type.

    python -m bench.fuzz_api [--examples 25] [--no-one-bad] [--demo NAME ...]

`gradio_client` reads each demo's API page; every endpoint it lists is then called over Gradio's HTTP API, as
any client can call it (NaN and infinities as JSON literals, files uploaded first). Two modes, both by default:

- one bad value: for every parameter of every endpoint, each value of HOSTILE (None, a value of another type,
  NaN, infinities, huge, empty) with every other parameter valid (the API page's default or example, or VALID's
  value where that one is not valid or is slow). Exhaustive and deterministic. A refusal must name the parameter
  (its name or its label on the page), unless the valid call itself is refused with the same message (a demo
  that needs an earlier step, e.g. a model taught first).
- random (`--examples` per endpoint, 0 to skip): hypothesis draws calls in which at least one parameter is bad for
  its type (numbers as text, lone surrogates, paths, hub ids, dicts pointing at /etc/passwd, a 10000x10000 PNG of
  300 KB, ...) and the others are bad too or the endpoint's defaults.

Each call must end in an answer or a `gr.Error` with a message of its own, never in the generic message of an
unexpected exception or an error without a message; the message is at most `apps.errors.MAX_MESSAGE` characters
and says a value's type in words (never Python's `<class 'str'>`); the server must still answer afterwards. Runs
as a public server (`GENAI_PUBLIC=1`) with a 20 s time limit. Prints the counts per demo; exits 1 if any call
failed. `tests/test_fuzz_api.py` runs a small slice.
"""

import argparse
import importlib
import json
import math
import os
import re
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
OUTCOMES = (
    "answered",
    "refused with a message",
    "refused as the valid call",
    "stopped at the time limit",
    "slow",
    "unhandled",
    "unclear message",
    "parameter not named",
    "server down",
)
FAILURES = ("unhandled", "unclear message", "parameter not named", "server down")
TIME_LIMIT = "this job ran past the server's time limit"  # core.runtime.limits.Deadline's message


def huge_png() -> str:
    """A 10000x10000 one-colour PNG: about 300 KB on disk, 400 MB once decoded."""
    path = Path(tempfile.gettempdir()) / "genai-demos-fuzz-10000x10000.png"
    if not path.exists():
        from PIL import Image

        Image.new("L", (10_000, 10_000)).save(path, optimize=True)
    return str(path)


def drawing_png() -> str:
    """A 280x280 white PNG with a thick black stroke: a valid drawing, sketch or editor background."""
    path = Path(tempfile.gettempdir()) / "genai-demos-fuzz-drawing.png"
    if not path.exists():
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (280, 280), "white")
        ImageDraw.Draw(image).line([(70, 60), (200, 220)], fill="black", width=24)
        image.save(path)
    return str(path)


def drawing() -> dict:
    """An image editor's value, as the browser sends it, with `drawing_png()` as background and composite."""
    from gradio_client import handle_file

    return {"background": handle_file(drawing_png()), "layers": [], "composite": handle_file(drawing_png())}


NUMBERS = [math.nan, math.inf, -math.inf, -1e308, 1e308, 10**30, -1, 0, 2.5, "12", "abc", "", None, True, [], {}]
TEXTS = ["", "   ", "\ud800", "x" * 100_000, "/etc/passwd", "../../root/.ssh", "bigscience/bloom", 123, None, 1.5]
FILES = ["/etc/passwd", {"path": "/etc/passwd"}, {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}, 123]
FILES += [None, {}, [], "http://127.0.0.1:9/x.png", {"background": "/etc/passwd", "layers": [], "composite": None}]
HOSTILE = [None, "", "x" * 100_000, 7, True, math.nan, math.inf, -math.inf, 10**30, -1e308, [], ["x"], {}]
HOSTILE_FILES = ["/etc/passwd", {"path": "/etc/passwd"}, {"path": "/etc/passwd", "meta": {"_type": "gradio.FileData"}}]
VALID = {  # demo -> endpoint -> parameter -> a valid value (or a function that makes one) where the API page's
    # default is not valid, or is slow
    "prompting": {
        "/generate_tokens": {"max_new_tokens": 5},
        "/compare": {"max_new_tokens": 5},
        "/evaluate_ui": {"strategies": ["zero-shot"], "n": 5},
        "/in_context_ui": {"ks": [0], "n": 10},
        "/generate": {"prompt": "Q: Is the coin still heads up? A:", "max_new_tokens": 5},
        "/evaluate": {"task": "coin_flip", "strategy": "zero-shot", "n": 2},
        "/in_context": {"n": 2},
    },
    "tuning": {
        "/instruction_tune": {"tasks": ["one_word:coin_flip"], "examples": 8, "steps": 5, "questions": 1},
        "/feedback_tune": {"steps": 1},
        "/compare_methods": {"steps": 2, "test_questions": 4},
    },
    "text_to_image": {
        "/generate_live": {"steps": 2, "batch": 1},
        "/compare_few_steps": {"steps": 2, "fast_steps": 1},
        "/few_steps_fidelity": {"steps": 2, "fast_steps": 1},
        "/generate": {"steps": 2, "batch_size": 1},
        "/generate_batched": {"steps": 2},
        "/forward": {"upload": None},
        "/inpaint_image": {"upload": None},
        "/inpaint": {"editor": drawing, "steps": 2},
    },
    "flows": {
        "/train2d": {"steps": "20"},
        "/race2d": {"flow_steps": "20", "ddpm_steps": "20"},
        "/sample": {"n": 1},
    },
    "transfer": {
        "/finetune": {"epochs": 1},
        "/compare": {"modes": ["scratch"], "epochs": 1, "seeds": 1},
        "/claims": {"modes": ["scratch"], "epochs": 1, "seeds": 1},
        "/add_drawing": {"sketch": drawing},
        "/classify_drawing": {"sketch": drawing},
        "/text_compare": {"seeds": 1},
    },
}


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
    """`value` with each local file of a `handle_file(...)` uploaded first, at any depth, as the browser does."""
    import httpx

    if isinstance(value, list):
        return [upload(url, v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("meta", {}).get("_type") == "gradio.FileData" and Path(value["path"]).is_file():
        with open(value["path"], "rb") as f:
            stored = httpx.post(url + "gradio_api/upload", files={"files": (Path(value["path"]).name, f)}, timeout=60)
        return {**value, "path": stored.json()[0]} if stored.status_code == 200 else value
    return {key: upload(url, v) for key, v in value.items()}


def call(url: str, endpoint: str, args: list) -> tuple[str, str]:
    """Call `endpoint` over HTTP the way any client can (NaN and infinities as JSON literals): the outcome
    ("answered", "refused with a message", "slow" or "unhandled") and the message or a note."""
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
            return "refused with a message", f"HTTP {joined.status_code}: {joined.text}"
        event_id = joined.json()["event_id"]
        event = None
        with httpx.stream("GET", url + f"gradio_api/call/{name}/{event_id}", timeout=CALL_TIMEOUT_S) as stream:
            for line in stream.iter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    if event == "complete":
                        return "answered", ""
                    error = json.loads(line[5:] or "null")
                    text = error.get("error") if isinstance(error, dict) else error  # Gradio sends {"error": ...}
                    if not text or text == INTERNAL:
                        return "unhandled", str(text)
                    return "refused with a message", str(text)
        return "unhandled", "the event stream ended without a result"
    except httpx.TimeoutException:
        return "slow", ""


def classify(url: str, endpoint: str, args: list) -> tuple[str, str]:
    """The outcome of one call, one of OUTCOMES, and a note; a refusal's message must be short and in words."""
    from apps.errors import MAX_MESSAGE

    outcome, note = call(url, endpoint, args)
    if outcome == "refused with a message" and (len(note) > MAX_MESSAGE or "<class" in note):
        outcome = "unclear message"
    elif outcome == "refused with a message" and note.startswith(TIME_LIMIT):  # the value was taken
        outcome = "stopped at the time limit"
    if outcome not in FAILURES and not server_answers(url):
        outcome = "server down"
    return outcome, note


def server_answers(url: str) -> bool:
    import httpx

    try:
        return httpx.get(url + "config", timeout=30).status_code == 200
    except httpx.HTTPError:
        return False


def count(tally: Tally, endpoint: str, args: list, outcome: str, note: str) -> None:
    tally.counts[outcome] += 1
    if outcome in FAILURES:
        tally.failures.append(f"{endpoint} {[repr(a)[:40] for a in args]}: {outcome} {note[:300]}")


def fuzz_endpoint(url: str, endpoint: str, params: list[dict], examples: int, tally: Tally) -> None:
    """Run `examples` hypothesis examples against one endpoint, counting outcomes into `tally`."""
    if not params:
        count(tally, endpoint, [], *classify(url, endpoint, []))
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
        count(tally, endpoint, args, *classify(url, endpoint, args))

    run()


def valid_args(params: list[dict], valid: dict) -> list:
    """A valid value for every parameter: `valid`'s (made, where it is a function), else the API page's default,
    else its example."""
    args = []
    for p in params:
        name = p["parameter_name"]
        if name in valid:
            args.append(valid[name]() if callable(valid[name]) else valid[name])
        else:
            args.append(p["parameter_default"] if p.get("parameter_has_default") else p.get("example_input"))
    return args


def hostile_values(param: dict) -> list:
    """HOSTILE, plus paths and a 10000x10000 PNG for a file or an image."""
    kind = str(param.get("python_type", {}).get("type", "")).lower()
    component = str(param.get("component", "")).lower()
    if component in ("image", "imageeditor", "sketchpad", "file", "gallery") or "filepath" in kind:
        from gradio_client import handle_file

        return [*HOSTILE, *HOSTILE_FILES, handle_file(huge_png())]
    return HOSTILE


def named(message: str, param: dict) -> bool:
    """Whether `message` names `param`, as a word or words of its own ("k" in "no k chosen", not in "took")."""
    return any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", message.lower()) for n in names_of(param))


def names_of(param: dict) -> set[str]:
    """What a message may call a parameter: its name in the API ("max_new_tokens" or "max new tokens") or its
    label on the page, whole or up to its first parenthesis ("Seed" for "Seed (draws the examples ...)")."""
    name = param["parameter_name"]
    found = set() if name.startswith("param_") else {name.lower(), name.replace("_", " ").lower()}
    label = str(param.get("label") or "").lower()
    if param.get("component") != "Api":  # gr.api's labels are positions ("1st")
        found |= {label, label.split(" (")[0].strip()}
    return found - {""}


def one_bad_value(url: str, endpoint: str, params: list[dict], valid: dict, tally: Tally, only=None) -> None:
    """Every value of `hostile_values` in each parameter (those named in `only`, default all), the others valid."""
    good = valid_args(params, valid)
    outcome, baseline = call(url, endpoint, good)
    if outcome != "answered":
        print(f"  {endpoint}: the valid call {[repr(a)[:40] for a in good]} was {outcome}: {baseline[:200]}")
    for i, param in enumerate(params):
        if only is not None and param["parameter_name"] not in only:
            continue
        for value in hostile_values(param):
            args = [*good[:i], value, *good[i + 1 :]]
            outcome, note = classify(url, endpoint, args)
            if outcome == "refused with a message" and note == baseline:
                outcome = "refused as the valid call"
            elif outcome == "refused with a message" and not named(note, param):
                outcome = "parameter not named"
                note = f"(parameter {param['parameter_name']!r}, label {param.get('label')!r}) {note}"
            count(tally, endpoint, args, outcome, note)


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


def fuzz_demo(module: str, examples: int, one_bad: bool = True, only: dict | None = None) -> Tally:
    """Fuzz one demo: one bad value in each parameter (with `one_bad`), then `examples` random calls per endpoint.
    `only` maps the endpoints to fuzz to the parameters to make bad (None: all of them); default every endpoint."""
    demo, url, client = launch(module)
    valid = VALID.get(module.removeprefix("apps."), {})
    tally = Tally()
    try:
        for endpoint, params in endpoints(client).items():
            if only is not None and endpoint not in only:
                continue
            if one_bad:
                bad = None if only is None else only[endpoint]
                one_bad_value(url, endpoint, params, valid.get(endpoint, {}), tally, bad)
            if examples:
                fuzz_endpoint(url, endpoint, params, examples, tally)
    finally:
        client.close()
        demo.close()
    return tally


def main(argv: list[str] | None = None) -> int:
    from apps.catalog import gradio_demos

    names = [d.name for d in gradio_demos()]
    parser = argparse.ArgumentParser(prog="python -m bench.fuzz_api", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--examples", type=int, default=25, help="random hypothesis examples per endpoint (default 25; 0: none)"
    )
    parser.add_argument("--no-one-bad", action="store_true", help="skip the one-bad-value calls")
    parser.add_argument("--demo", action="append", choices=names, help="default: every Gradio demo")
    args = parser.parse_args(argv)
    for key, value in ENVIRONMENT.items():
        os.environ.setdefault(key, value)
    total, failures = Counter(), []
    for name in args.demo or names:
        tally = fuzz_demo(f"apps.{name}", args.examples, one_bad=not args.no_one_bad)
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
