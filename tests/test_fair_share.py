"""One visitor cannot lock a demo for a class: a flood of requests is refused beyond the flooder's share while
everyone else's clicks still join and get answers; uploads have a share too; temporary folders do not pile up."""

import os
import threading
import time
from types import SimpleNamespace

import gradio as gr
import httpx
import pytest

from apps import admission
from apps.uploads import Ledger, remove_empty_folders


def request(peer: str, forwarded: str = "") -> SimpleNamespace:
    return SimpleNamespace(
        client=SimpleNamespace(host=peer), headers={"x-forwarded-for": forwarded} if forwarded else {}
    )


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw_not_what_the_client_wrote(monkeypatch):
    monkeypatch.delenv("SPACE_ID", raising=False)
    monkeypatch.delenv("SYSTEM", raising=False)
    monkeypatch.delenv(admission.PROXY_DEPTH_ENV, raising=False)
    assert admission.client_address(request("10.0.0.7", "6.6.6.6")) == "10.0.0.7"  # no proxy: the header is a lie
    monkeypatch.setenv("SPACE_ID", "course/suite")  # a Space: one proxy appends the visitor's address
    assert admission.client_address(request("10.0.0.7", "6.6.6.6, 81.2.3.4")) == "81.2.3.4"
    monkeypatch.setenv(admission.PROXY_DEPTH_ENV, "2")
    assert admission.client_address(request("10.0.0.7", "6.6.6.6, 81.2.3.4, 10.1.1.1")) == "81.2.3.4"
    assert admission.client_address(request("10.0.0.7", "")) == "10.0.0.7"
    monkeypatch.setenv(admission.PROXY_DEPTH_ENV, "one")
    with pytest.raises(ValueError, match="GENAI_PROXY_DEPTH must be a whole number"):
        admission.client_address(request("10.0.0.7"))


def join(base: str, api: str, data: list, session: str | None = None) -> httpx.Response:
    body = {"data": data} | ({"session_hash": session} if session else {})
    return httpx.post(f"{base}/gradio_api/call/{api}", json=body, timeout=30)


def test_a_flood_from_one_visitor_is_refused_and_another_visitor_is_still_served(gradio_client, monkeypatch):
    """The probe's flood: 40 x /compose from one client, then another visitor's quick call."""
    from core.runtime.warming import SHARED_IMPORTS, _import_everything

    _import_everything(SHARED_IMPORTS)  # as the launcher's warm-up does, before two requests import plotly at once

    from apps.text_to_image import demo

    monkeypatch.setenv("GENAI_TIME_LIMIT_S", "3")  # the flood's admitted jobs end soon after the test
    client = gradio_client(demo)
    base = client.src.rstrip("/")
    answers = [join(base, "compose", [4]) for _ in range(40)]
    admitted = [a for a in answers if a.status_code == 200]
    refused = [a for a in answers if a.status_code != 200]
    assert len(admitted) == admission.PER_VISITOR
    assert {a.status_code for a in refused} == {503}
    assert "you already have 4 requests waiting or running in this demo" in refused[0].json()["detail"]
    # another visitor: a quick call and a generation both join and answer while the flood's jobs wait or run
    settings = client.predict("bundled", api_name="/model_settings")
    assert len(settings) == 4
    image = client.predict("a red circle on the left", 0, 2, 3.0, "DDIM", 1, "bundled", api_name="/generate")
    assert image[1] is not None


def look(x: str) -> str:
    """A quick click: no progress, no waiting."""
    return f"looked at {x}"


def test_long_jobs_take_only_their_share_of_the_queue_and_quick_clicks_still_join(gradio_client, monkeypatch):
    from apps import serving

    monkeypatch.setattr(serving, "LONG_WAITING", 3)
    release = threading.Event()

    def train(steps, progress=gr.Progress()):
        release.wait(30)
        return f"trained {steps}"

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button("train").click(train, box, box, api_name="train")
        gr.Button("look").click(look, box, box, api_name="look")
    client = gradio_client(demo)
    base = client.src.rstrip("/")
    try:
        answers = [join(base, "train", [i], session=f"student-{i}") for i in range(8)]
        codes = [a.status_code for a in answers]
        running = serving.LONG_JOBS
        assert codes == [200] * (running + 3) + [503] * (8 - running - 3)
        assert "the server is busy: 3 long jobs" in answers[-1].json()["detail"]
        assert client.predict("the data", api_name="/look") == "looked at the data"  # never refused, never waits
    finally:
        release.set()


def test_quick_clicks_and_a_fine_tune_answer_while_a_sweep_runs(gradio_client, monkeypatch):
    """At the smallest scale, one long job at a time per group: a sweep holds the demo's "long-jobs" group, and a
    quick click and a fine-tune (a long job in the group its app named) both finish while the sweep still runs."""
    from apps import serving

    monkeypatch.setattr(serving, "LONG_JOBS", 1)
    sweeping, release = threading.Event(), threading.Event()

    def sweep(n, progress=gr.Progress()):
        sweeping.set()
        release.wait(60)
        return f"swept {n}"

    def finetune(n, progress=gr.Progress()):
        return f"fine-tuned {n}"

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button("sweep").click(sweep, box, box, api_name="sweep")
        gr.Button("fine-tune").click(finetune, box, box, api_name="finetune", concurrency_id="fine-tune")
        gr.Button("look").click(look, box, box, api_name="look")
    client = gradio_client(demo)
    groups = {fn.api_name: (fn.concurrency_id, fn.concurrency_limit) for fn in demo.fns.values()}
    assert groups["sweep"] == ("long-jobs", 1) and groups["finetune"] == ("fine-tune", 1)
    swept = client.submit("the grid", api_name="/sweep")
    try:
        assert sweeping.wait(30)
        assert client.predict("the data", api_name="/look") == "looked at the data"
        assert client.predict("the head", api_name="/finetune") == "fine-tuned the head"
        assert not swept.done()
    finally:
        release.set()
    assert swept.result(timeout=30) == "swept the grid"


def test_each_address_and_the_server_have_an_upload_share():
    ledger = Ledger(per_address_mb=10, total_mb=25)
    assert ledger.admit("1.1.1.1", 6_000_000) is None
    status, why = ledger.admit("1.1.1.1", 6_000_000)
    assert status == 413 and "you have uploaded 6 MB" in why and "at most 10 MB" in why
    assert ledger.admit("2.2.2.2", 9_000_000) is None and ledger.admit("3.3.3.3", 9_000_000) is None
    status, why = ledger.admit("4.4.4.4", 2_000_000)
    assert status == 503 and "this server holds 24 MB of uploads" in why


def test_a_demo_without_a_file_input_takes_no_uploads(gradio_client):
    from apps.scale import demo

    client = gradio_client(demo)
    answer = httpx.post(client.src.rstrip("/") + "/gradio_api/upload", files={"files": ("a.txt", b"hi")}, timeout=30)
    assert answer.status_code == 403 and "this demo takes no files" in answer.text


def test_empty_temporary_folders_are_removed_once_old(tmp_path):
    old_empty, fresh_empty, full = tmp_path / "a1", tmp_path / "b2", tmp_path / "c3"
    for folder in (old_empty, fresh_empty, full):
        folder.mkdir()
    (full / "image.png").write_bytes(b"png")
    past = time.time() - 3600
    for folder in (old_empty, full):
        os.utime(folder, (past, past))
    assert remove_empty_folders(tmp_path, older_than_s=600) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b2", "c3"]


def test_a_handler_sees_how_many_wait_behind_it_and_a_lesson_group_is_not_capped_as_long_jobs(
    gradio_client, monkeypatch
):
    """Sampling (a long job in a group its app names) is a lesson's click: a class may queue more of them than the
    shared group's cap, and each, when it runs, reads how many still wait behind it (`others_waiting`)."""
    from apps import serving

    monkeypatch.setattr(serving, "LONG_WAITING", 1)
    release, seen = threading.Event(), {}

    def sample(n, progress=gr.Progress()):
        seen[n] = serving.others_waiting()
        release.wait(30)
        return f"sampled {n}"

    with gr.Blocks() as demo:
        box = gr.Textbox()
        gr.Button("sample").click(sample, box, box, api_name="sample", concurrency_id="sampling")
    client = gradio_client(demo)
    first = client.submit("0", api_name="/sample")
    deadline = time.monotonic() + 30
    while "0" not in seen and time.monotonic() < deadline:
        time.sleep(0.05)
    others = [client.submit(str(i), api_name="/sample") for i in range(1, 4)]  # 3 wait: thrice the shared cap
    time.sleep(1.0)
    release.set()
    assert [job.result(timeout=30) for job in [first, *others]] == [f"sampled {i}" for i in range(4)]
    assert seen["0"] == 0  # it ran before the others came
    assert sorted(seen[str(i)] for i in range(1, 4)) == [0, 1, 2]  # each saw the ones still behind it
    assert serving.others_waiting() == 0  # outside a queued event


def test_visitors_count_as_active_for_a_minute_after_they_join_a_queue():
    admission.saw("page:a", now=1000.0)
    admission.saw("page:b", now=1030.0)
    assert {"page:a", "page:b"} <= admission.active_visitors(now=1031.0)
    assert "page:a" not in admission.active_visitors(now=1000.0 + admission.ACTIVE_S + 1)
    admission.saw("page:c", now=1100.0)  # a join forgets those gone for longer than a minute
    assert "page:a" not in admission._last_seen and "page:b" not in admission._last_seen
