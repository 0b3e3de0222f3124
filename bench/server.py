"""The suite as a public server on this machine, for the benchmarks that load it: started in a child process on
free ports, its output kept in a log file, and its start-up waited for with a bound."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 180.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB."""
    proc = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 1e6


@dataclass
class Server:
    process: subprocess.Popen
    base: str  # e.g. http://127.0.0.1:7860
    temp: Path  # its GRADIO_TEMP_DIR
    log: Path  # its stdout and stderr


def wait_for_index(server: Server, timeout_s: float = START_TIMEOUT_S) -> float:
    """Seconds until the server's index answers; a RuntimeError with the log's end if it exits or takes too long."""
    started = time.monotonic()
    while time.monotonic() - started < timeout_s:
        if server.process.poll() is not None:
            break
        try:
            if httpx.get(server.base + "/", timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            time.sleep(0.2)
    tail = server.log.read_text(errors="replace")[-3000:]
    state = f"exited with status {server.process.returncode}" if server.process.poll() is not None else "no answer"
    raise RuntimeError(
        f"the server did not start within {timeout_s:.0f} s ({state}); its log {server.log} ends:\n{tail}"
    )


@contextmanager
def suite(*flags: str, env: dict[str, str] | None = None):
    """A running `python -m apps --public ...` (extra `flags`, e.g. "--only", "prompting"), stopped on exit."""
    temp = Path(tempfile.mkdtemp(prefix="genai-demos-bench-"))
    log = temp / "server.log"
    port, st_port = free_port(), free_port()
    environment = {**os.environ, "GRADIO_TEMP_DIR": str(temp), "HF_HUB_OFFLINE": "1",
                   "GRADIO_ANALYTICS_ENABLED": "False", **(env or {})}  # fmt: skip
    command = [sys.executable, "-m", "apps", "--public", "--host", "127.0.0.1", "--port", str(port),
               "--streamlit-port", str(st_port), *flags]  # fmt: skip
    with open(log, "wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=environment, stdout=out, stderr=subprocess.STDOUT)
    server = Server(process, f"http://127.0.0.1:{port}", temp, log)
    try:
        yield server
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
