"""Text to image with diffusion: generate from a caption and watch the noise turn into a picture, explore the
forward process q(x_t | x_0), inpaint an erased region, and measure composition and a distilled student.

torch and diffusers load on the first click: the handlers import the heavy `core.diffusion` modules, after the
warm-up's imports (`core.runtime.warming`), so the page itself builds fast.
"""

import random

import gradio as gr

from apps.deep_links import link_inputs
from apps.errors import user_errors
from apps.hosting import model_line
from apps.serving import other_visitors, others_waiting
from core.diffusion import choices, explained
from core.diffusion.choices import BUNDLED, DISTILLED_NAME, NAME, distilled_steps, menu_source, settings_for
from core.diffusion.display import IMAGE_SOURCES, REGION_CHOICES, editor_picture, enlarge
from core.diffusion.shapes import add_phrase, known_phrases
from core.runtime import default_source
from core.runtime.registry import model_menu
from core.runtime.seeding import MAX_SEED

DEFAULT_SOURCE = default_source(NAME)  # "bundled", or the hub model a GPU Space sets in GENAI_MODEL_TEXT_TO_IMAGE
DEFAULT_FAST = default_source(DISTILLED_NAME)  # "bundled", or SD-Turbo on a GPU Space
DEFAULT_PROMPT = "a small red circle on the left"


def generate_live(
    prompt, seed, randomize, steps, guidance, scheduler, batch, source, fast_when_busy=True, progress=gr.Progress()
):
    """Stream the reverse process: previews of x_t and the predicted x_0, then the gallery and the timeline; while
    others wait in line on a CPU server, the distilled student answers when `fast_when_busy` (the status says so)."""
    from core.diffusion import generate, live
    from core.diffusion.fast_lane import fast_lane

    seed = random.randint(0, MAX_SEED) if randomize else seed
    model, request = generate.request_for(source, prompt, seed, steps, guidance, scheduler, batch)
    model, request, note = fast_lane(model, request, fast_when_busy, others_waiting(), other_visitors())
    progress((0, request.steps), desc="denoising", unit="steps")
    for out in live.frames(model, request):
        if isinstance(out, live.Frame):
            progress((out.step, out.steps), desc="denoising", unit="steps")
            yield out.x_t, out.x0_pred, gr.skip(), gr.skip(), gr.skip(), out.status, gr.skip()
        else:
            yield out.grid, out.grid, out.gallery, out.timeline, out.seed, note + out.status, out.first


def generate_final(prompt, seed, steps, guidance_scale, scheduler="DPM-Solver++", batch_size=1, model=BUNDLED):
    """The images and the seed used (the `/generate` API); requests that arrive together are sampled together."""
    from core.diffusion import generate

    loaded, request = generate.request_for(model, prompt, seed, steps, guidance_scale, scheduler, batch_size)
    return [enlarge(im) for im in generate.final_together(loaded, request)], request.seed


def generate_batched(prompt, seed, steps, guidance_scale, scheduler, model):
    """Gradio batching: requests that arrive together come as lists, unprocessed (Gradio's checks would fail the
    whole batch); each gets (image, seed, "") or, when it could not run, (None, None, its own message)."""
    from core.diffusion import generate

    asks = list(zip(prompt, seed, steps, guidance_scale, scheduler, model, strict=True))
    answers = [_batched_answer(outcome) for outcome in generate.generate_each(asks)]
    return [list(column) for column in zip(*answers, strict=True)]


def _batched_answer(outcome):
    if not isinstance(outcome, Exception):
        request, image = outcome
        return enlarge(image), request.seed, ""
    try:
        with user_errors():
            raise outcome
    except gr.Error as err:
        return None, None, err.message


def model_changed(source: str):
    settings, source = settings_for(menu_source(source)), menu_source(source)
    return settings.steps, settings.guidance, f"**Licence:** {settings.licence}", gr.Dataset(visible=source == BUNDLED)


def forward_explore(kind, caption, upload, last, t, schedule, seed):
    from core.diffusion.explorer import explore

    view = explore(kind, caption, upload, last, t, schedule, seed)
    return view.x_0, view.x_t, view.schedules, view.line


def _prompts_bar(progress):
    """`progress(done, total)` as Gradio's bar over prompts."""
    return lambda done, total: progress((done, total), desc=f"prompts drawn and judged: {done}/{total}", unit="prompts")


def measure_composition(seeds_per_prompt, progress=gr.Progress()):
    """Seen vs. held-out fidelity of the bundled model, with intervals and the claim's verdict."""
    from core.diffusion.measurements import composition

    result = composition(seeds_per_prompt, _prompts_bar(progress))
    return f"**Claim:** {result.claim_line()}", result.rows()


def compare_few_steps(prompt, seed, steps, guidance, scheduler, source, fast_source, fast_steps):
    """Both images for the same prompt and seed, each with its time and number of network evaluations."""
    from core.diffusion.few_steps import compare, speed_line

    slow, fast = compare(prompt, seed, steps, guidance, scheduler, source, fast_source, fast_steps)
    return enlarge(slow.result.images[0]), enlarge(fast.result.images[0]), speed_line(slow, fast)


def measure_few_steps(steps, guidance, scheduler, fast_steps, seeds_per_prompt, progress=gr.Progress()):
    """Fidelity of the bundled model and its distilled student on the same prompts and seeds, with the verdict."""
    from core.diffusion.measurements import few_step_fidelity

    result = few_step_fidelity(steps, guidance, scheduler, fast_steps, seeds_per_prompt, _prompts_bar(progress))
    return f"**Claim:** {result.claim_line()}", result.rows()


def inpaint_run(editor, region, prompt, seed, steps, guidance, scheduler, source):
    from core.diffusion import generate

    model, request = generate.request_for(source, prompt, seed, steps, guidance, scheduler, 1)
    kept, result = generate.inpaint_edited(model, request, editor, region)
    return enlarge(kept), enlarge(result.images[0])


def image_pair(left: str, right: str, ids: tuple[str | None, str | None] = (None, None)) -> list[gr.Image]:
    """Two output images side by side, labelled `left` and `right`, with the element ids `ids`."""
    with gr.Row():
        return [gr.Image(label=(left, right)[k], interactive=False, format="png", elem_id=ids[k]) for k in (0, 1)]


def measurement(intro: str, time_label: str, button: str, headers: list[str], table_id: str, measure, inputs, api_name):
    """A samples-per-prompt slider with a button and Stop, then the claim and its table of rates: the button runs
    `measure` on `inputs` and the samples per prompt, and Stop cancels it."""
    gr.Markdown(intro)
    with gr.Row():
        seeds = gr.Slider(1, choices.MAX_COMPOSE_SEEDS, value=1, step=1, label=time_label, min_width=300)
        start, stop = gr.Button(button, variant="primary"), gr.Button("Stop", variant="stop")
    claim = gr.Markdown()
    table = gr.Dataframe(headers=headers, interactive=False, wrap=True, elem_id=table_id, label="Right (95% interval)")
    stop.click(None, cancels=[start.click(measure, [*inputs, seeds], [claim, table], api_name=api_name)])


# On a phone (under 640 px) the galleries' 100 px minimum per column hides images past the right edge: there the
# 4 images go 2 by 2, and the 8 timeline frames 4 by 2 at their full height, so that t = 0 shows too.
PHONE_GALLERIES = """<style>@media (max-width: 640px) {
  #images .grid-container { grid-template-columns: repeat(2, minmax(0, 1fr)) !important; }
  #timeline .grid-container { grid-template-columns: repeat(4, minmax(0, 1fr)) !important; }
  #timeline, #timeline .grid-wrap { height: auto !important; }
}</style>"""


with gr.Blocks(title="Text to image with diffusion") as demo:
    gr.Markdown(explained.INTRO)
    gr.Markdown(model_line(NAME))
    with gr.Row():
        prompt = gr.Textbox(value=DEFAULT_PROMPT, label="Prompt", scale=3, max_lines=2, min_width=300)
        source = gr.Dropdown(
            model_menu(NAME, choices.SOURCES), value=DEFAULT_SOURCE, label="Model", allow_custom_value=True, scale=2,
            info="'bundled' runs offline on a CPU; hub ids need a GPU and internet",
        )  # fmt: skip
    words = gr.Dataset(
        components=[gr.Textbox(visible=False)], samples=[[p] for p in known_phrases()], layout="gallery",
        label="The bundled model knows only these words: click one to add it to the prompt", samples_per_page=40,
        visible=DEFAULT_SOURCE == BUNDLED,
    )  # fmt: skip
    licence = gr.Markdown(f"**Licence:** {settings_for(DEFAULT_SOURCE).licence}")
    with gr.Tabs() as tabs:
        with gr.Tab("Generate", id="generate"):
            with gr.Row():
                seed = gr.Number(value=0, label="Seed", precision=0, minimum=0, maximum=MAX_SEED)
                randomize = gr.Checkbox(value=False, label="Randomize seed")
                steps = gr.Slider(
                    1, choices.MAX_STEPS, value=settings_for(DEFAULT_SOURCE).steps, step=1, label="Steps",
                    min_width=260, info=f"up to {choices.MAX_STEPS}, about half a minute for 4 images on a laptop CPU",
                )  # fmt: skip
                guidance = gr.Slider(
                    0, choices.MAX_GUIDANCE, value=settings_for(DEFAULT_SOURCE).guidance, step=0.5,
                    label="Guidance scale", info="w; at 1 or below guidance is off", min_width=260,
                )  # fmt: skip
            with gr.Row():
                scheduler = gr.Radio(list(choices.SCHEDULER_NAMES), value=choices.DEFAULT_SCHEDULER, label="Scheduler")
                batch = gr.Slider(1, choices.MAX_BATCH, value=4, step=1, label="Batch size")
                fast_when_busy = gr.Checkbox(
                    value=True, label="Fast when busy",
                    info="while others wait on a CPU server, the distilled student answers in 4 steps; untick to "
                    "wait for the original",
                )  # fmt: skip
            gr.Markdown(explained.WEAKNESSES)
            examples = gr.Examples(
                explained.EXAMPLES, [prompt, seed], label="Examples: click one; the last 3 show the weaknesses"
            )
            with gr.Row():
                run = gr.Button("Generate", variant="primary", scale=3)
                stop = gr.Button("Stop", variant="stop", scale=1)
            status = gr.Markdown(elem_id="status")
            live_x_t, live_x0 = image_pair("current x_t", "predicted clean image x_0", ids=("live-x-t", "live-x0"))
            gallery = gr.Gallery(
                label="Images", columns=4, height=340, preview=False, object_fit="contain", format="png",
                elem_id="images",
            )  # fmt: skip
            used_seed = gr.Number(label="Seed used", precision=0, interactive=False)
            timeline = gr.Gallery(
                label="Reverse timeline: predicted x_0 from t = T to 0", columns=8, height=190, preview=False,
                object_fit="contain", elem_id="timeline",
            )  # fmt: skip
            gr.HTML(head=PHONE_GALLERIES, container=False, padding=False)
        with gr.Tab("Forward process", id="forward") as forward_tab:
            with gr.Row():
                image_kind = gr.Radio(list(IMAGE_SOURCES), value=IMAGE_SOURCES[0], label="Image")
                caption = gr.Textbox(value="a large green triangle in the centre", label="Caption to render")
                upload = gr.Image(label="Upload", type="numpy", sources=["upload"], height=160)
            with gr.Row():
                timestep = gr.Slider(0, choices.TIMESTEPS - 1, value=250, step=1, label="Timestep t", min_width=300)
                schedule = gr.Radio(list(choices.NOISE_SCHEDULES), value=choices.COSINE, label="Noise schedule")
            noise_info = gr.Markdown()
            shown_x0, shown_x_t = image_pair("x_0", "x_t ~ q(x_t | x_0)")
            schedule_plot = gr.Plot(label="Schedules")
        with gr.Tab("Inpainting", id="inpainting"):
            gr.Markdown(explained.INPAINTING)
            with gr.Row():
                inpaint_kind = gr.Radio(list(IMAGE_SOURCES), value=IMAGE_SOURCES[0], label="Image")
                inpaint_caption = gr.Textbox(value="a small red circle on the left", label="Caption to render")
                inpaint_upload = gr.Image(label="Upload", type="numpy", sources=["upload"], height=160)
            load_btn = gr.Button("Load image into the editor")
            with gr.Row():
                editor = gr.ImageEditor(
                    label="Paint over the part to regenerate", type="numpy", brush=gr.Brush(colors=["#ff00ff"]),
                    height=300,
                )  # fmt: skip
                with gr.Column():
                    region = gr.Radio(list(REGION_CHOICES), value="right half", label="Region to regenerate")
                    inpaint_btn = gr.Button("Inpaint", variant="primary")
            erased, filled = image_pair("kept pixels (erased in black)", "inpainted")
        with gr.Tab("Does it compose?", id="compose"):
            measurement(
                explained.COMPOSITION, explained.COMPOSITION_TIME, "Measure", choices.COMPOSE_HEADERS, "compose-table",
                measure_composition, [], "compose",
            )  # fmt: skip
        with gr.Tab("Few steps (distilled)", id="few-steps"):
            gr.Markdown(explained.FEW_STEPS)
            with gr.Row():
                fast_source = gr.Dropdown(
                    model_menu(DISTILLED_NAME, choices.DISTILLED_SOURCES), value=DEFAULT_FAST,
                    label="Distilled model", allow_custom_value=True,
                    info="'bundled': the bundled model distilled here; hub ids need a GPU",
                )  # fmt: skip
                fast_steps = gr.Slider(
                    1, choices.MAX_DISTILLED_STEPS, value=distilled_steps(DEFAULT_FAST), step=1,
                    label="Distilled steps", info="the original uses the steps, guidance and scheduler of the Generate tab",
                )  # fmt: skip
                compare_btn = gr.Button("Compare", variant="primary")
            slow_image, fast_image = image_pair("original", "distilled", ids=("slow-image", "fast-image"))
            speed = gr.Markdown(elem_id="few-steps-speed")
            measurement(
                explained.FEW_STEPS_FIDELITY, explained.FEW_STEPS_TIME, "Measure fidelity", choices.FIDELITY_HEADERS,
                "few-steps-table", measure_few_steps, [steps, guidance, scheduler, fast_steps], "few_steps_fidelity",
            )  # fmt: skip
    last_image = gr.State(None)
    api_gallery, api_image = gr.Gallery(visible=False, format="png"), gr.Image(visible=False, format="png")
    api_seed, api_message = gr.Number(visible=False, precision=0), gr.Textbox(visible=False)
    api_button, api_batched = gr.Button(visible=False), gr.Button(visible=False)

    generate_inputs = [prompt, seed, randomize, steps, guidance, scheduler, batch, source, fast_when_busy]
    live_outputs = [live_x_t, live_x0, gallery, timeline, used_seed, status, last_image]
    # Progress shows on the gallery, where the images will land, so the live previews stay uncovered.
    sampling = dict(
        fn=generate_live, inputs=generate_inputs, outputs=live_outputs, show_progress_on=gallery,
        concurrency_id="sampling",
    )  # fmt: skip
    generating = gr.on([run.click, prompt.submit], **sampling, api_name="generate_live")
    from_example = examples.load_input_event.then(**sampling, api_visibility="undocumented")
    stop.click(None, cancels=[generating, from_example])
    compare_btn.click(
        compare_few_steps, [prompt, seed, steps, guidance, scheduler, source, fast_source, fast_steps],
        [slow_image, fast_image, speed], api_name="compare_few_steps",
    )  # fmt: skip
    fast_source.change(distilled_steps, fast_source, fast_steps, api_visibility="undocumented")
    words.click(add_phrase, [prompt, words], prompt, queue=False, api_visibility="undocumented")
    source.change(model_changed, source, [steps, guidance, licence, words], api_name="model_settings")
    api_button.click(
        generate_final, [prompt, seed, steps, guidance, scheduler, batch, source], [api_gallery, api_seed],
        api_name="generate", concurrency_limit=choices.MAX_TOGETHER,
    )  # fmt: skip
    api_batched.click(
        generate_batched, [prompt, seed, steps, guidance, scheduler, source], [api_image, api_seed, api_message],
        batch=True, max_batch_size=choices.MAX_BATCH, preprocess=False, api_name="generate_batched",
    )  # fmt: skip
    gr.on(
        [timestep.release, schedule.change, image_kind.change, caption.submit, upload.change, forward_tab.select],
        forward_explore, [image_kind, caption, upload, last_image, timestep, schedule, seed],
        [shown_x0, shown_x_t, schedule_plot, noise_info], api_name="forward",
    )  # fmt: skip
    load_btn.click(
        editor_picture, [inpaint_kind, inpaint_caption, inpaint_upload, last_image, seed], editor,
        api_name="inpaint_image",
    )  # fmt: skip
    inpaint_btn.click(
        inpaint_run, [editor, region, prompt, seed, steps, guidance, scheduler, source], [erased, filled],
        api_name="inpaint",
    )  # fmt: skip
    link_inputs(demo, {
        "prompt": prompt, "seed": seed, "steps": steps, "guidance": guidance, "scheduler": scheduler, "batch": batch,
        "model": source, "tab": tabs, "t": timestep, "distilled": fast_source, "distilled_steps": fast_steps,
    })  # fmt: skip

if __name__ == "__main__":
    from apps.serving import launch

    launch(demo, "text_to_image")
