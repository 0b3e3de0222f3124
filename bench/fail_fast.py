"""How fast the suite gives up without internet: each failure must come within its target, not after a hang.

    python bench/fail_fast.py

Times three commands from process start to exit (the tests check their messages, this their speed): a hub model
that cannot be reached (target 10 s after the imports), `python -m apps --share` offline (30 s) and
`python spaces/deploy.py` without the Hub (30 s).
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

UNREACHABLE_MODEL = """
import time
from pathlib import Path
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel
from core.runtime import ModelSpec, ModelUnavailable, get_model, register
folder = Path({folder!r})
GPT2LMHeadModel(GPT2Config(n_layer=1, n_head=2, n_embd=8, vocab_size=32, n_positions=16)).save_pretrained(folder)
register(ModelSpec(name="tiny-lm", bundled=folder, load=AutoModelForCausalLM.from_pretrained))
start = time.monotonic()
try:
    get_model("tiny-lm", source="genai-demos/not-a-real-model")
except ModelUnavailable:
    print(time.monotonic() - start)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def timed(command: list[str], env: dict[str, str]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.monotonic()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    return time.monotonic() - start, result


def report(what: str, seconds: float, target_s: float) -> None:
    print(f"{what}: {seconds:.1f} s (target <= {target_s:.0f} s): {'OK' if seconds <= target_s else 'TOO SLOW'}")


def main() -> None:
    online = {k: v for k, v in os.environ.items() if k != "HF_HUB_OFFLINE"}
    with tempfile.TemporaryDirectory() as folder:
        code = UNREACHABLE_MODEL.format(folder=str(Path(folder) / "tiny-lm"))
        _, result = timed([sys.executable, "-c", code], online)
        report("unreachable hub model, from the request", float(result.stdout.split()[-1]), 10)

        seconds, _ = timed(
            [sys.executable, "-m", "apps", "--share", "--port", str(free_port()), "--only", "scale"], online
        )
        report("python -m apps --share offline, from process start", seconds, 30)

        out = Path(folder) / "spaces"
        subprocess.run([sys.executable, "spaces/build.py", "scale", "--out", str(out)], cwd=ROOT, check=True)
        env = {**online, "HF_TOKEN": "hf_not_a_real_token", "HF_HUB_OFFLINE": "0"}
        seconds, _ = timed([sys.executable, "spaces/deploy.py", str(out / "scale"), "--repo", "someone/scale"], env)
        report("spaces/deploy.py without the Hub, from process start", seconds, 30)


if __name__ == "__main__":
    main()
