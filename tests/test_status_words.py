"""What a screen reader hears when a demo's event finishes: a word, not Gradio's translation key."""

import gradio as gr

from apps.serving import STATUS_WORDS, launch, prepare
from tests.conftest import free_port


def _echo_demo() -> gr.Blocks:
    with gr.Blocks() as demo:
        words = gr.Textbox(label="Words", value="hello")
        said = gr.Textbox(label="Said")
        gr.Button("Say").click(lambda w: w.upper(), words, said)
    return demo


def test_a_mounted_demo_carries_the_status_words_in_its_config():
    """The launcher mounts each prepared demo; the page reads its translations from the config."""
    demo = prepare(_echo_demo())
    assert demo.get_config_file()["i18n_translations"] == {"en": {"common.complete": "Complete"}}
    assert STATUS_WORDS.translations_dict["en"]["common.complete"] == "Complete"


def test_the_screen_reader_status_reads_complete_after_an_event(page):
    demo = _echo_demo()
    launch(demo, prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(demo.local_url)
        page.get_by_role("button", name="Say").click()
        page.get_by_label("Said").and_(page.locator("textarea")).wait_for()
        status = page.locator(".sr-only[role=status]")
        status.filter(has_text="Complete").first.wait_for(timeout=10_000)
        said = [text.strip() for text in status.all_inner_texts()]
        assert "Complete" in said and not any("common." in text for text in said), said
    finally:
        demo.close()
