"""The text-to-image demo as an API client and a student use it."""

import pytest
from gradio_client.exceptions import AppError

from tests.conftest import free_port


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
    from PIL import Image

    image = Image.open(gallery[0]["image"])
    assert image.size == (256, 256)  # 32x32 shown with 8x8-pixel blocks


@pytest.mark.parametrize(
    ("prompt", "steps", "guidance", "message"),
    [
        ("", 6, 3.0, "prompt is empty"),
        ("a violet circle on the left", 6, 3.0, "does not know the word 'violet'"),
        ("a red circle on the left", 5000, 3.0, "greater than maximum value 1000"),  # the slider's own check
        ("a red circle on the left", 6, -2, "less than minimum value 0"),
        ("a red circle on the left", 2.5, 3.0, "steps must be a whole number from 1 to 1000"),
    ],
)
def test_api_refuses_bad_input_with_a_message(gradio_client, demo, prompt, steps, guidance, message):
    client = gradio_client(demo)
    with pytest.raises(AppError, match=message):
        client.predict(prompt=prompt, seed=0, steps=steps, guidance_scale=guidance, api_name="/generate")


def test_api_forward_process_shows_the_noised_image_and_the_schedules(gradio_client, demo):
    client = gradio_client(demo)
    x_0, x_t, plot, info = client.predict(
        "rendered from a caption", "a small red circle on the left", None, 999, "cosine (bundled model)", 0,
        api_name="/forward",
    )  # fmt: skip
    assert x_0 and x_t and plot is not None
    assert "t = 999" in info


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
