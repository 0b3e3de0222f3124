"""A class of students for locust: each opens the index and a demo page, then calls that demo's main endpoints
through Gradio's HTTP API (join the queue, read the event stream to the end), thinking 5-15 s between clicks.

Run by `python bench/classroom.py`, which starts the suite and measures the server; or by hand against a suite
already serving on 127.0.0.1:7860:

    locust -f bench/locustfile.py --headless -u 30 -r 30 --run-time 90s --host http://127.0.0.1:7860
"""

import json
import os
import random
import secrets
import time

from locust import HttpUser, between, events, task

SENTENCES = ["the small red car sees a black dog", "the big green birds follow a white horse"]
CAPTIONS = ["a small red circle on the left", "a large blue square in the centre", "a green triangle at the top"]
CLICK_LOG = os.environ.get(
    "CLICK_LOG"
)  # a CSV file that gets one row per click: start (epoch s), endpoint, seconds, ok
COIN = "Q: A coin is heads up. Ann flips the coin. Is the coin still heads up?\nA:"


class Student(HttpUser):
    wait_time = between(5, 15)

    def on_start(self) -> None:
        if not self.host.startswith(("http://127.0.0.1", "http://localhost")):
            raise RuntimeError("the load test only runs against this machine (127.0.0.1)")
        self.client.get("/", name="index")
        self.session = secrets.token_hex(6)  # one open page: the server counts a visitor's requests by it

    def call(self, demo: str, api: str, data: list) -> None:
        """One click: join the queue, then read the event stream until the result or an error; timed as one."""
        name = f"{demo}{api}"
        start = time.perf_counter()
        error = None
        length = 0
        try:
            joined = self.client.post(
                f"/{demo}/gradio_api/call{api}",
                json={"data": data, "session_hash": self.session},
                name=name + " (join)",
            )
            joined.raise_for_status()
            event_id = joined.json()["event_id"]
            stream = self.client.get(
                f"/{demo}/gradio_api/call{api}/{event_id}", stream=True, name=name + " (stream)", timeout=600
            )
            try:
                event = None
                for line in stream.iter_lines(decode_unicode=True):
                    length += len(line or "")
                    if line.startswith("event:"):
                        event = line.split(":", 1)[1].strip()
                    elif line.startswith("data:") and event in ("complete", "error"):
                        if event == "error":
                            error = RuntimeError(f"gr.Error: {json.loads(line[5:] or 'null')}")
                        break
                else:
                    error = RuntimeError("the event stream ended without a result")
            finally:
                stream.close()
        except Exception as err:  # noqa: BLE001 - every failure is reported to locust
            error = err
        if CLICK_LOG:
            with open(CLICK_LOG, "a") as log:
                log.write(
                    f"{time.time() - (time.perf_counter() - start):.3f},{name},{time.perf_counter() - start:.3f},{error is None}\n"
                )
        events.request.fire(
            request_type="CLICK",
            name=name,
            response_time=(time.perf_counter() - start) * 1000,
            response_length=length,
            exception=error,
            context={},
        )

    def open_demo(self, demo: str) -> None:
        self.client.get(f"/{demo}/", name=f"{demo} page")

    @task(3)
    def transformer(self) -> None:
        self.open_demo("transformer")
        self.call("transformer", "/attention", [random.choice(SENTENCES), "toy-translator"])
        self.call("transformer", "/next_token", [random.choice(SENTENCES), "toy-translator", 1.0])

    @task(3)
    def prompting(self) -> None:
        self.open_demo("prompting")
        self.call("prompting", "/generate", [COIN, 40, 0.0, random.randint(0, 99)])

    @task(3)
    def text_to_image(self) -> None:
        self.open_demo("text_to_image")
        caption, seed = random.choice(CAPTIONS), random.randint(0, 999)
        # the page's Generate button with its defaults: 4 images, 20 steps, fast when busy
        self.call(
            "text_to_image", "/generate_live", [caption, seed, False, 20, 3.0, "DPM-Solver++", 4, "bundled", True]
        )

    @task(2)
    def flows(self) -> None:
        self.open_demo("flows")
        self.call("flows", "/sample", ["digits: neural spline flow", 40, random.randint(0, 99), 1.0])

    @task(2)
    def transfer(self) -> None:
        self.open_demo("transfer")
        self.call("transfer", "/finetune", ["full", 5, 10, random.randint(0, 99), 0.003, "digits"])

    @task(1)
    def scale(self) -> None:
        self.open_demo("scale")
        self.call("scale", "/chinchilla", [random.choice([7, 70, 175]), random.choice([300, 1400, 2000])])
