"""Does a server keep the memory of long prompts? Start the prompting lab as a public server, send it prompts far
too long to accept (refused) and long prompts it accepts, many at once, and read its memory before, right after,
and once idle.

    python bench/soak.py [--refused 200] [--accepted 200] [--concurrency 8] [--refused-chars 1000000]

Each of `--concurrency` clients is one visitor (its own session) that sends its share of the prompts one after
another through `/generate`, as the public API takes them. Prints the server's RSS and the growth per prompt;
`tests/test_soak.py` runs a smaller loop and bounds the growth.
"""

import argparse
import itertools
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server import rss_mb, suite, wait_for_index  # noqa: E402

IDLE_S = 5.0
LINE = "Q: A coin is heads up. Ka flips the coin. Is the coin still heads up?\nA: The answer is no.\n\n"


def accepted_prompt(max_chars: int = 2600) -> str:
    """A long few-shot prompt that the lab accepts: its own exemplar line repeated, about 900 tokens."""
    return (LINE * (max_chars // len(LINE) + 1))[
        :max_chars
    ] + "\nQ: A coin is heads up. Mo flips the coin. Is the coin still heads up?\nA:"


def generate(client: httpx.Client, base: str, session: str, prompt: str) -> str:
    """One `/generate` call to its end: "answered", "refused" or "failed: ..."."""
    joined = client.post(
        f"{base}/prompting/gradio_api/call/generate",
        json={"data": [prompt, 10, 0.0, 0], "session_hash": session},
        timeout=60,
    )
    if joined.status_code != 200:
        return f"failed: HTTP {joined.status_code} {joined.text[:120]}"
    event_id = joined.json()["event_id"]
    with client.stream("GET", f"{base}/prompting/gradio_api/call/generate/{event_id}", timeout=300) as stream:
        event = None
        for line in stream.iter_lines():
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event in ("complete", "error"):
                return (
                    "answered"
                    if event == "complete"
                    else ("refused" if "characters long" in line else f"failed: {line[:160]}")
                )
    return "failed: the stream ended without a result"


def soak(refused: int, accepted: int, concurrency: int, refused_chars: int = 1_000_000) -> dict:
    """Run the soak on a fresh server; the server's RSS (MB) at each point and the outcomes' counts."""
    prompts = ["x" * refused_chars] * refused + [accepted_prompt()] * accepted
    prompts = [p for pair in itertools.zip_longest(prompts[:refused], prompts[refused:]) for p in pair if p]
    with suite("--only", "prompting") as server:
        wait_for_index(server)
        with httpx.Client() as client:
            first = generate(client, server.base, secrets.token_hex(6), accepted_prompt())  # loads the model
            if first != "answered":
                raise RuntimeError(f"the warm-up prompt was not answered ({first}); see {server.log}")
            time.sleep(IDLE_S)
            before = rss_mb(server.process.pid)
            sessions = [secrets.token_hex(6) for _ in range(concurrency)]
            shares = [prompts[i::concurrency] for i in range(concurrency)]

            def visitor(i: int) -> list[str]:
                with httpx.Client() as own:
                    return [generate(own, server.base, sessions[i], p) for p in shares[i]]

            started = time.monotonic()
            with ThreadPoolExecutor(concurrency) as pool:
                outcomes = [o for share in pool.map(visitor, range(concurrency)) for o in share]
            seconds = time.monotonic() - started
            after = rss_mb(server.process.pid)
            time.sleep(IDLE_S)
            idle = rss_mb(server.process.pid)
    counts = {o: outcomes.count(o) for o in sorted(set(outcomes))}
    return {"before_mb": before, "after_mb": after, "idle_mb": idle, "outcomes": counts, "seconds": seconds}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/soak.py", description=__doc__.splitlines()[0])
    parser.add_argument("--refused", type=int, default=200, help="prompts too long to accept (default 200)")
    parser.add_argument("--accepted", type=int, default=200, help="long prompts that are answered (default 200)")
    parser.add_argument("--concurrency", type=int, default=8, help="visitors sending at once (default 8)")
    parser.add_argument("--refused-chars", type=int, default=1_000_000, help="length of a refused prompt")
    args = parser.parse_args(argv)
    result = soak(args.refused, args.accepted, args.concurrency, args.refused_chars)
    n = args.refused + args.accepted
    print(f"{args.refused} refused ({args.refused_chars:,} characters) and {args.accepted} accepted long prompts, "
          f"{args.concurrency} visitors at once, in {result['seconds']:.0f} s: {result['outcomes']}")  # fmt: skip
    print(
        f"server RSS: {result['before_mb']:.0f} MB before, {result['after_mb']:.0f} MB right after, "
        f"{result['idle_mb']:.0f} MB after {IDLE_S:.0f} s idle: "
        f"{(result['idle_mb'] - result['before_mb']) / n * 1000:+.0f} kB per prompt"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
