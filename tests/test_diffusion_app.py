"""The text-to-image demo as an API client and a student use it."""

import json
import re
import threading
import time
from types import SimpleNamespace

import numpy as np
import pytest
from gradio_client.exceptions import AppError
from gradio_client.utils import Status
from PIL import Image
from playwright.sync_api import expect

from core.diffusion.choices import MAX_STEPS
from tests.conftest import free_port


@pytest.fixture(autouse=True)
def no_class_present(monkeypatch):
    """The visitors of other tests in this process do not make the server busy (the fast lane's test sets it)."""
    import apps.text_to_image as app

    monkeypatch.setattr(app, "other_visitors", lambda: 0)


@pytest.fixture(scope="module")
def demo(one_torch_thread):
    from apps.text_to_image import demo

    return demo


def test_api_generate_returns_the_images_and_the_seed(gradio_client, demo):
    client = gradio_client(demo)
    gallery, seed = client.predict(
        prompt="a large blue square in the centre", seed=7, steps=6, guidance_scale=3.0, batch_size=2,
        api_name="/generate",
    )  # fmt: skip
    assert seed == 7 and len(gallery) == 2
    image = Image.open(gallery[0]["image"]).convert("RGB")
    assert image.size == (256, 256)  # 32x32 shown with 8x8-pixel blocks
    centre = np.asarray(image, dtype=float)[96:160, 96:160].mean((0, 1))  # (3,) mean RGB of the middle
    assert centre[2] > centre[0] + 50 and centre[2] > centre[1] + 50  # the blue square is there


@pytest.mark.parametrize(
    ("prompt", "steps", "guidance", "message"),
    [
        ("", 6, 3.0, "prompt is empty"),
        ("a violet circle on the left", 6, 3.0, "does not know the word 'violet'"),
        ("a red circle on the left", 5000, 3.0, "greater than maximum value 250"),  # the slider's own check
        ("a red circle on the left", 6, -2, "less than minimum value 0"),
        ("a red circle on the left", 2.5, 3.0, "steps must be a whole number from 1 to 250"),
    ],
)
def test_api_refuses_bad_input_with_a_message(gradio_client, demo, prompt, steps, guidance, message):
    client = gradio_client(demo)
    with pytest.raises(AppError, match=message):
        client.predict(prompt=prompt, seed=0, steps=steps, guidance_scale=guidance, api_name="/generate")


def test_api_batch_answers_each_request_with_its_own_image_or_message(gradio_client, demo, monkeypatch):
    """Seven requests reach `/generate_batched` together, as one batch: an empty prompt, a hub model this offline
    server lacks and steps above the slider's range each get no image and their own message; the four valid ones
    get the images they get alone from `/generate`."""
    from apps import admission
    from core.diffusion import generate

    monkeypatch.setattr(admission, "PER_VISITOR", 8)  # one client stands for eight visitors here
    batched = next(fn for fn in demo.fns.values() if fn.api_name == "generate_batched")
    monkeypatch.setattr(batched, "concurrency_limit", 1)  # one batch at a time, so the others queue up behind it
    running, release, batch_sizes = threading.Event(), threading.Event(), []
    generate_each = generate.generate_each

    def first_batch_waits(asks):  # holds the queue until the seven requests wait in it
        batch_sizes.append(len(asks))
        running.set()
        release.wait(60)
        return generate_each(asks)

    monkeypatch.setattr(generate, "generate_each", first_batch_waits)
    client = gradio_client(demo)
    valid = dict(steps=6, guidance_scale=3.0, scheduler="DPM-Solver++", model="bundled")
    asks = [
        dict(valid, prompt="a large blue square in the centre", seed=7),
        dict(valid, prompt="", seed=1),
        dict(valid, prompt="a small yellow triangle at the top", seed=2),
        dict(valid, prompt="a red circle on the left", seed=3, model="stabilityai/sd-turbo"),
        dict(valid, prompt="a green circle on the right", seed=4),
        dict(valid, prompt="a red circle on the left", seed=5, steps=5000),
        dict(valid, prompt="a large blue square in the centre", seed=8),
    ]
    sent = [asks[0], *asks]  # the first runs alone and holds the queue; the seven behind it form one batch
    first = client.submit(**sent[0], api_name="/generate_batched")
    assert running.wait(60)
    jobs = [client.submit(**ask, api_name="/generate_batched") for ask in sent[1:]]
    deadline = time.monotonic() + 60
    while any(job.status().code != Status.IN_QUEUE for job in jobs) and time.monotonic() < deadline:
        time.sleep(0.1)
    release.set()
    answers = [job.result(timeout=120) for job in [first, *jobs]]
    assert batch_sizes == [1, 7]
    offline = "'stabilityai/sd-turbo' is not downloaded on this server, which works offline: pick one of the bundled"
    assert [message for _, _, message in answers] == [
        "",
        "",
        "prompt is empty: type something such as 'a small red circle on the left'",
        "",
        offline + " models in the model menu instead",
        "",
        "steps must be a whole number from 1 to 250, got 5000",
        "",
    ]
    assert [(answers[i][0], answers[i][1]) for i in (2, 4, 6)] == [(None, None)] * 3
    for i in (0, 1, 3, 5, 7):  # the valid requests
        image, seed, _ = answers[i]
        gallery, _ = client.predict(**sent[i], batch_size=1, api_name="/generate")
        alone = np.asarray(Image.open(gallery[0]["image"]).convert("RGB"), dtype=int)
        assert seed == sent[i]["seed"]
        assert np.abs(np.asarray(Image.open(image).convert("RGB"), dtype=int) - alone).max() <= 2


def test_api_generate_samples_requests_that_arrive_together_in_one_batch_and_a_bad_one_fails_alone(
    gradio_client, demo, monkeypatch
):
    """Five visitors press Generate at once: the two with a bad input get their own message and never join a batch;
    the three valid requests (four images) are sampled as one batch, and each gets the images it gets alone."""
    from apps import admission
    from core.diffusion import generate
    from core.diffusion.display import enlarge

    monkeypatch.setattr(admission, "PER_VISITOR", 8)  # one client stands for five visitors here
    monkeypatch.setattr(generate.together, "window_s", 60.0)  # the batch runs when it is full: the valid requests'
    monkeypatch.setattr(generate.together, "most", 4)  # four images, however slowly they arrive
    batches, generate_many = [], generate.generate_many

    def recorded(model, requests):
        batches.append(sorted(r.seed for r in requests))
        return generate_many(model, requests)

    monkeypatch.setattr(generate, "generate_many", recorded)
    client = gradio_client(demo)
    valid = dict(steps=6, guidance_scale=3.0, scheduler="DPM-Solver++", model="bundled", batch_size=1)
    asks = [
        dict(valid, prompt="a large blue square in the centre", seed=7, batch_size=2),
        dict(valid, prompt="", seed=1),
        dict(valid, prompt="a small yellow triangle at the top", seed=2),
        dict(valid, prompt="a violet circle on the left", seed=3),
        dict(valid, prompt="a green circle on the right", seed=4),
    ]
    jobs = [client.submit(**ask, api_name="/generate") for ask in asks]
    for i, message in ((1, "prompt is empty"), (3, "does not know the word 'violet'")):
        with pytest.raises(AppError, match=message):
            jobs[i].result(timeout=120)
    for i in (0, 2, 4):
        gallery, seed = jobs[i].result(timeout=120)
        ask = asks[i]
        model, request = generate.request_for("bundled", ask["prompt"], seed, 6, 3.0, "DPM-Solver++", ask["batch_size"])
        alone = generate.final(model, request).images
        assert seed == ask["seed"] and len(gallery) == len(alone) == ask["batch_size"]
        for shown, image in zip(gallery, alone, strict=True):
            drawn = np.asarray(Image.open(shown["image"]).convert("RGB"), dtype=int)
            assert np.abs(drawn - enlarge(image).astype(int)).max() <= 2  # batched float sums may round differently
    assert batches == [[2, 4, 7]]


def test_a_student_generates_while_a_measurement_runs(gradio_client, demo, monkeypatch):
    """The composition measurement is a long job; sampling has a concurrency group of its own, so the Generate tab
    answers while the measurement is still running."""
    from core.diffusion import measurements

    running, release = threading.Event(), threading.Event()

    def held_composition(seeds_per_prompt, progress):
        running.set()
        release.wait(120)
        return SimpleNamespace(claim_line=lambda: "held", rows=lambda: [])

    monkeypatch.setattr(measurements, "composition", held_composition)
    client = gradio_client(demo)
    measuring = client.submit(1, api_name="/compose")
    try:
        assert running.wait(60)
        *_, seed, status = client.predict(
            "a red circle on the left", 3, False, 2, 3.0, "DDIM", 1, "bundled", api_name="/generate_live"
        )
        assert seed == 3 and status.startswith("2 steps in") and not measuring.done()
    finally:
        release.set()
    assert measuring.result(timeout=60)[0] == "**Claim:** held"


def test_api_forward_process_shows_the_noised_image_and_the_schedules(gradio_client, demo):
    client = gradio_client(demo)
    x_0, x_t, plot, info = client.predict(
        "rendered from a caption", "a small red circle on the left", None, 999, "cosine (bundled model)", 0,
        api_name="/forward",
    )  # fmt: skip
    assert "t = 999" in info
    clean, noised = (np.asarray(Image.open(p).convert("RGB"), dtype=float).ravel() for p in (x_0, x_t))
    assert clean.std() > 10 and noised.std() > 10
    assert abs(np.corrcoef(clean, noised)[0, 1]) < 0.2  # at t = 999 almost nothing of x_0 is left
    assert len(json.loads(plot["plot"])["data"]) >= 2  # alpha-bar and SNR curves of the schedule


@pytest.fixture
def served(demo):
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    yield url
    demo.close()


def test_student_types_a_prompt_and_sees_an_image(page, demo):
    demo.queue()
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        prompt = page.get_by_label("Prompt")
        prompt.fill("a small yellow triangle at the top")
        page.get_by_label("Steps").first.fill("8")
        page.get_by_role("button", name="Generate", exact=True).click()
        page.get_by_text("8 steps in").wait_for(timeout=90_000)
        page.locator("#images img").first.wait_for(timeout=10_000)
        assert page.locator("#timeline img").count() == 8
        assert page.console_errors == []
    finally:
        demo.close()


def test_on_a_phone_every_image_and_timeline_frame_fits_the_screen(page, served):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{served}?steps=8&batch=4")
    expect(page.get_by_label("Steps").first).to_have_value("8", timeout=30_000)
    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text("8 steps in").wait_for(timeout=90_000)
    for gallery, frames in (("#images", 4), ("#timeline", 8)):
        images = page.locator(f"{gallery} img")
        expect(images).to_have_count(frames)
        box = page.locator(gallery).bounding_box()
        for i in range(frames):
            image = images.nth(i).bounding_box()
            assert image["x"] + image["width"] <= 390, f"{gallery} image {i + 1} is past the screen's right edge"
            assert image["y"] + image["height"] <= box["y"] + box["height"], f"{gallery} image {i + 1} is cut off"
    expect(page.locator("#timeline").get_by_text("t = 0", exact=True)).to_be_visible()


def test_clicking_an_example_fills_the_prompt_and_generates_it(page, served):
    page.goto(served)
    page.get_by_label("Batch size").first.fill("2")
    page.get_by_text("a small yellow triangle at the top").click()
    page.get_by_text("20 steps in").wait_for(timeout=180_000)
    assert page.get_by_label("Prompt").input_value() == "a small yellow triangle at the top"
    assert page.locator("#images img").count() == 2
    assert "seed 1." in page.locator("#status").inner_text()
    assert page.get_by_text("Error").count() == 0 and page.console_errors == []


def test_clicking_word_chips_builds_a_prompt_the_model_knows(page, served):
    page.goto(served)
    page.get_by_label("Prompt").fill("a")
    expect = "a"
    for phrase in ("large", "blue", "square", "at the bottom"):  # each click appends to what the box shows
        page.get_by_role("button", name=phrase, exact=True).click()
        expect += " " + phrase
        page.wait_for_function(f"() => document.querySelector('textarea').value === '{expect}'", timeout=30_000)
    assert page.locator("textarea").first.input_value() == "a large blue square at the bottom"


def _tracker_shows_progress(page, elem_id: str) -> bool:
    """Whether Gradio's progress overlay is drawn over the component (its status tracker is not hidden)."""
    tracker = page.locator(f"#{elem_id} [data-testid='status-tracker']").first
    return "hide" not in (tracker.get_attribute("class") or "").split()


@pytest.mark.slow
def test_live_previews_stay_visible_while_progress_shows_elsewhere_at_the_maximum_steps(page, served):
    """DPM-Solver++ (the default) at the Steps slider's maximum runs to the end; while it streams, x_t and the
    predicted x_0 are not covered by the progress overlay, which sits on the image gallery instead."""
    page.goto(served)
    page.get_by_label("Steps").first.fill(str(MAX_STEPS))
    page.get_by_label("Batch size").first.fill("1")
    page.get_by_role("button", name="Generate", exact=True).click()
    page.locator("#live-x-t img").first.wait_for(timeout=90_000)
    page.get_by_text(f"of {MAX_STEPS} (t = ").wait_for(timeout=10_000)  # "step k of N" while it runs
    assert not _tracker_shows_progress(page, "live-x-t") and not _tracker_shows_progress(page, "live-x0")
    assert _tracker_shows_progress(page, "images")
    page.get_by_text(f"{MAX_STEPS} steps in").wait_for(timeout=300_000)
    assert "DPM-Solver++" in page.locator("#status").inner_text()
    assert page.locator("#images img").count() == 1 and page.console_errors == []


@pytest.mark.slow
def test_stop_cancels_a_long_run(page, served):
    page.goto(served)
    page.get_by_label("Steps").first.fill(str(MAX_STEPS))
    page.get_by_label("Batch size").first.fill("1")
    page.get_by_role("button", name="Generate", exact=True).click()
    page.get_by_text(f"of {MAX_STEPS} (t = ").wait_for(timeout=90_000)
    page.get_by_role("button", name="Stop", exact=True).click()
    page.wait_for_timeout(5_000)
    stopped_at = page.locator("#status").inner_text()
    page.wait_for_timeout(5_000)  # a running job would have streamed several previews by now
    assert page.locator("#status").inner_text() == stopped_at and "steps in" not in stopped_at


@pytest.mark.slow
def test_api_compose_measures_seen_and_held_out_prompts(gradio_client, demo):
    """One sample per prompt of the bundled model, judged: the held-out combinations get their shape and colour
    right (the words compose), and the claim line carries its interval, n and a verdict."""
    client = gradio_client(demo)
    claim, table = client.predict(1, api_name="/compose")
    rows = {row[0]: row for row in table["data"]}
    assert [rows["seen in training"][1], rows["held out of training"][1]] == ["48", "12"]
    for row in rows.values():
        shape, colour = (float(cell.split()[0]) for cell in row[2:4])
        assert shape >= 0.9 and colour >= 0.9
    assert re.search(
        r"[+-]0\.\d\d \[[+-]\d\.\d\d, [+-]\d\.\d\d\], n = 60 samples, p = 0\.\d+: (holds|does not hold|not enough evidence)$",
        claim,
    )


@pytest.mark.parametrize("seeds", [0, 5, 2.5])
def test_api_compose_refuses_a_bad_sample_count(gradio_client, demo, seeds):
    with pytest.raises(AppError, match=r"samples per prompt|(greater|less) than (maximum|minimum) value"):
        gradio_client(demo).predict(seeds, api_name="/compose")  # the slider's own range check, or ours


def test_api_compare_few_steps_shows_both_images_with_their_cost(gradio_client, demo):
    """The original and the distilled student on the same prompt and seed: two images and what each cost."""
    client = gradio_client(demo)
    slow, fast, speed = client.predict(
        "a large blue square in the centre", 5, 8, 3.0, "DPM-Solver++", "bundled", "bundled", 2,
        api_name="/compare_few_steps",
    )  # fmt: skip
    for shown in (slow, fast):
        image = np.asarray(Image.open(shown).convert("RGB"), dtype=float)
        assert image.shape == (256, 256, 3)
        centre = image[96:160, 96:160].mean((0, 1))  # (3,) both models drew the blue square
        assert centre[2] > centre[0] + 50 and centre[2] > centre[1] + 50
    assert re.search(r"Original\*\*: 8 steps with DPM-Solver\+\+, 16 network evaluations per image, \d+ ms", speed)
    assert re.search(r"Distilled\*\*: 2 steps with LCM, 2 network evaluations per image, \d+ ms", speed)
    assert re.search(r"\*\*\d+\.\dx faster\*\*", speed)


@pytest.mark.parametrize(
    ("fast_source", "fast_steps", "message"),
    [
        ("bundled", 99, "greater than maximum value 8"),  # the slider's own check
        ("/etc", 2, "model"),  # a typed path is never loaded
    ],
)
def test_api_compare_few_steps_refuses_bad_input(gradio_client, demo, fast_source, fast_steps, message):
    with pytest.raises(AppError, match=message):
        gradio_client(demo).predict(
            "a red circle on the left", 0, 8, 3.0, "DPM-Solver++", "bundled", fast_source, fast_steps,
            api_name="/compare_few_steps",
        )  # fmt: skip


def test_student_compares_the_original_with_its_distilled_student(page, served):
    """The "Few steps" tab: one click shows both images of the prompt above, each model's time and cost."""
    page.goto(served)
    page.get_by_label("Prompt").fill("a large green circle in the centre")
    page.get_by_role("tab", name="Few steps (distilled)").click()
    page.get_by_label("Distilled steps").first.fill("2")
    page.get_by_role("button", name="Compare", exact=True).click()
    page.get_by_text("faster", exact=False).wait_for(timeout=90_000)
    speed = page.locator("#few-steps-speed").inner_text()
    assert "20 steps with DPM-Solver++, 40 network evaluations" in speed and "2 steps with LCM" in speed
    for elem_id in ("slow-image", "fast-image"):
        assert page.locator(f"#{elem_id} img").count() == 1
    assert page.get_by_text("Error").count() == 0 and page.console_errors == []


@pytest.mark.slow
def test_api_few_steps_fidelity_pairs_both_models_on_every_prompt(gradio_client, demo):
    client = gradio_client(demo)
    claim, table = client.predict(20, 3.0, "DPM-Solver++", 4, 1, api_name="/few_steps_fidelity")
    rows = {row[0]: row for row in table["data"]}
    assert [rows["original"][1:3], rows["distilled"][1:3]] == [["20", "60"], ["4", "60"]]
    for row in rows.values():
        colour = float(row[4].split()[0])
        assert colour >= 0.9  # both draw the asked colour
    assert re.search(
        r"within 5 points \(distilled minus original\): [+-]\d+\.\d points \[[+-]\d+\.\d, [+-]\d+\.\d\], "
        r"n = 60 paired samples: (holds|does not hold|not enough evidence)$",
        claim,
    )


def test_generate_tab_hands_a_busy_request_to_the_student_and_says_so_unless_the_box_is_unticked(
    gradio_client, demo, monkeypatch
):
    import apps.text_to_image as app

    monkeypatch.setattr(app, "others_waiting", lambda: 2)  # two visitors wait in line behind this request
    client = gradio_client(demo)
    args = ("a red circle on the left", 3, False, 20, 3.0, "DPM-Solver++", 1, "bundled")
    *_, seed, status = client.predict(*args, True, api_name="/generate_live")
    assert seed == 3 and status.startswith(
        "The server is busy (2 waiting in line), so the distilled student answered in 4"
    )
    assert "4 steps in" in status and "with LCM" in status
    *_, status = client.predict(*args, False, api_name="/generate_live")
    assert status.startswith("20 steps in") and "DPM-Solver++" in status
