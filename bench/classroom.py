"""A class on one server: start the suite as a public server, let locust's students arrive at once the moment it
answers (a cold-start burst: the server opens its port once its warm-up is done, or at once with `--serve-early`),
keep them clicking for a while, then report what the server held.

    python bench/classroom.py [--users 30] [--run-time 90s] [--serve-early]

Binds to 127.0.0.1 only; the server's output is kept in a log file in its temporary folder (printed), and a
server that does not answer within `bench.server.START_TIMEOUT_S` stops the run with the log's end. Prints, per endpoint, clicks, failures, median and 95th-percentile time (a click is
joining the queue and reading the result to its end), the server's memory (RSS of the launcher and its
Streamlit child) and temporary-folder size at the start and at the end, and the CPU seconds the server spent per
click: unlike the times, that figure does not depend on what else the machine is doing, so it gives the number of
students a core can serve.
"""

import argparse
import csv
import os
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.server import ROOT, rss_mb, suite, wait_for_index  # noqa: E402


def cpu_s(pid: int) -> float:
    """CPU seconds used so far by the launcher and its children (robust to other load on the machine)."""
    proc = psutil.Process(pid)
    return sum(sum(p.cpu_times()[:2]) for p in [proc, *proc.children(recursive=True)])


def folder_mb(folder: Path) -> tuple[float, int]:
    files = [f for f in folder.rglob("*") if f.is_file()]
    return sum(f.stat().st_size for f in files) / 1e6, len(files)


BURST_S = 20.0  # clicks that start this soon after the students arrive belong to the arrival burst


def burst_table(clicks_csv: Path, arrived: float) -> None:
    """p95 of the clicks made in the arrival burst (the first BURST_S seconds) and of those made after it."""
    if not clicks_csv.exists():
        return
    times = defaultdict(lambda: ([], []))
    for start, name, seconds, _ in csv.reader(open(clicks_csv)):
        times[name][float(start) - arrived >= BURST_S].append(float(seconds))
    print(
        f"\n{'endpoint':34} {'burst':>6} {'p95 s':>7} {'later':>6} {'p50 s':>7} {'p95 s':>7}  (burst: first {BURST_S:.0f} s)"
    )
    for name, (burst, later) in sorted(times.items()):
        b95 = np.percentile(burst, 95) if burst else float("nan")
        l50, l95 = np.percentile(later, [50, 95]) if later else (float("nan"),) * 2
        print(f"{name:34} {len(burst):>6} {b95:7.2f} {len(later):>6} {l50:7.2f} {l95:7.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python bench/classroom.py", description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=30, help="students, all arriving at once (default 30)")
    parser.add_argument("--run-time", default="90s", help="how long they click, locust's format (default 90s)")
    parser.add_argument("--serve-early", action="store_true", help="the server answers while its models warm up")
    args = parser.parse_args(argv)

    with suite(*(["--serve-early"] if args.serve_early else [])) as server:
        started = wait_for_index(server)
        print(f"index answered after {started:.1f} s; the students arrive now (log: {server.log})")
        temp = server.temp
        rss_start, (temp_start, files_start), cpu_start = (
            rss_mb(server.process.pid),
            folder_mb(temp),
            cpu_s(server.process.pid),
        )
        stats = temp / "locust"
        locust = [
            sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"), "--headless",
            "-u", str(args.users), "-r", str(args.users), "--run-time", args.run_time, "--host", server.base,
            "--csv", str(stats), "--only-summary", "--stop-timeout", "60",
        ]  # fmt: skip
        clicks_csv, arrived = temp / "clicks.csv", time.time()
        subprocess.run(locust, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False,
                       env={**os.environ, "CLICK_LOG": str(clicks_csv)})  # fmt: skip
        rss_end, (temp_end, files_end), cpu_end = rss_mb(server.process.pid), folder_mb(temp), cpu_s(server.process.pid)
        alive = server.process.poll() is None

    rows = list(csv.DictReader(open(f"{stats}_stats.csv")))
    print(f"\n{args.users} students for {args.run_time} (think time 5-15 s), server still up: {alive}")
    print(f"{'endpoint':34} {'clicks':>6} {'failed':>6} {'p50 s':>7} {'p95 s':>7}")
    for row in rows:
        if row["Type"] == "CLICK" or (row["Type"] == "GET" and not row["Name"].endswith("(stream)")):
            p50, p95 = float(row["50%"] or 0) / 1000, float(row["95%"] or 0) / 1000
            print(f"{row['Name']:34} {row['Request Count']:>6} {row['Failure Count']:>6} {p50:7.2f} {p95:7.2f}")
    failures = Path(f"{stats}_failures.csv")
    if failures.exists():
        for row in list(csv.DictReader(open(failures)))[:10]:
            print(f"failure: {row['Name']}: {row['Error'][:160]} (x{row['Occurrences']})")
    burst_table(clicks_csv, arrived)
    clicks = sum(int(r["Request Count"]) for r in rows if r["Type"] == "CLICK")
    per_click = (cpu_end - cpu_start) / max(clicks, 1)
    think = 10 + per_click  # mean think time of the locustfile (5-15 s) plus the work itself
    print(
        f"server CPU: {cpu_end - cpu_start:.0f} s for {clicks} clicks = {per_click:.2f} CPU s per click (warm-up included)"
    )
    print(
        f"estimate: one core serves about {think / per_click:.0f} students clicking every {think:.0f} s at full load, "
        f"{0.7 * think / per_click:.0f} at 70%"
    )
    print(f"server RSS: {rss_start:.0f} MB at the start, {rss_end:.0f} MB at the end")
    print(
        f"temp folder: {temp_start:.1f} MB ({files_start} files) at the start, {temp_end:.1f} MB ({files_end} files) at the end"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
