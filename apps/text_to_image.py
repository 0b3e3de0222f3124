"""Text to image with diffusion: generate from a caption and watch the noise turn into a picture, explore the
forward process q(x_t | x_0), and inpaint an erased region.

torch and diffusers load on the first click: the handlers reach the heavy modules as attributes of
`core.diffusion`, which imports them on first use (safely across threads), so the page itself builds fast.
"""

import random

import gradio as gr

import core.diffusion as diffusion
from apps.deep_links import link_inputs
from apps.errors import user_errors
from apps.hosting import model_line
from core.diffusion import choices, explained
from core.diffusion import models as _registered  # noqa: F401 - registers "text-to-image", importing nothing heavy
from core.diffusion.choices import BUNDLED, DISTILLED_NAME, NAME, few_step_settings, settings_for
from core.diffusion.display import IMAGE_SOURCES, REGION_CHOICES, chosen_image, enlarge, tile
from core.diffusion.shapes import known_phrases
from core.runtime import default_source, get_model
from core.runtime.limits import Deadline, time_limited
from core.runtime.registry import model_menu
from core.runtime.seeding import MAX_SEED, check_seed
from core.runtime.validate import MAX_MODEL_CHARS, text, whole_number

DEFAULT_SOURCE = default_source(NAME)  # "bundled", or the hub model a GPU Space sets in GENAI_MODEL_TEXT_TO_IMAGE
DEFAULT_FAST = default_source(DISTILLED_NAME)  # "bundled", or SD-Turbo on a GPU Space
DEFAULT_PROMPT = "a small red circle on the left"


def add_phrase(prompt: str, chosen: list) -> str:
    """Append a clicked word chip to the prompt."""
    return " ".join([*(prompt or "").split(), chosen[0]])


def generate_live(prompt, seed, randomize, steps, guidance, scheduler, batch, source, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    """Stream the reverse process: previews of x_t and the predicted x_0, then the gallery and the timeline."""
    model = get_model(NAME, source)
    seed = random.randint(0, MAX_SEED) if randomize else seed
    request = diffusion.generate.check_request(model, prompt, seed, steps, guidance, scheduler, batch)
    progress((0, request.steps), desc="denoising", unit="steps")
    for out in time_limited(diffusion.generate.generate(model, request), "ask for fewer steps or a smaller batch"):
        if isinstance(out, diffusion.generate.Preview):
            progress((out.step, out.steps), desc="denoising", unit="steps")
            status = f"step {out.step} of {out.steps} (t = {out.timestep})"
            yield tile(out.x_t), tile(out.x0_pred), gr.skip(), gr.skip(), gr.skip(), status, gr.skip()
            continue
        timeline = [(enlarge(frame), f"t = {t}") for t, frame in out.timeline]
        final = tile(out.images)
        gallery = [enlarge(im) for im in out.images]
        yield final, final, gallery, timeline, out.seed, out.summary(request), out.images[0]


def generate_final(prompt, seed, steps, guidance_scale, scheduler="DPM-Solver++", batch_size=1, model=BUNDLED):
    """The images and the seed used (the `/generate` API)."""
    loaded = get_model(NAME, model)
    request = diffusion.generate.check_request(loaded, prompt, seed, steps, guidance_scale, scheduler, batch_size)
    result = diffusion.generate.final(loaded, request)
    return [enlarge(im) for im in result.images], result.seed


def generate_batched(prompt, seed, steps, guidance_scale, scheduler, model):
    """Gradio batching: requests that arrive together come as lists, one item per request, unprocessed (the event
    skips Gradio's own checks, which would fail the whole batch); `generate_each` checks each on its own and samples
    the valid ones together. Gradio cannot fail one item of a batch, so each gets (image, seed, "") or, when it
    could not run, (None, None, its own message)."""
    asks = list(zip(prompt, seed, steps, guidance_scale, scheduler, model, strict=True))
    answers = [_batched_answer(outcome) for outcome in diffusion.generate.generate_each(asks)]
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
    source = source.strip() if isinstance(source, str) and source.strip() else BUNDLED
    settings = settings_for(source)
    return settings.steps, settings.guidance, f"**Licence:** {settings.licence}", gr.Dataset(visible=source == BUNDLED)


def forward_explore(kind, caption, upload, last, t, schedule, seed):
    t, seed = whole_number(t, "timestep t", 0, choices.TIMESTEPS - 1), check_seed(seed)
    x_0 = chosen_image(kind, caption, upload, last, seed)
    x_t = diffusion.forward.noised(x_0, t, seed, schedule)
    return enlarge(x_0), enlarge(x_t.x_t), diffusion.charts.schedule_figure(t), x_t.line()


def _ticks(progress, advice: str):
    """`progress(done, total)` for a measurement: the bar over prompts, and the time limit checked at each call."""
    deadline = Deadline(advice)

    def tick(done: int, total: int) -> None:
        deadline.check()
        progress((done, total), desc=f"prompts drawn and judged: {done}/{total}", unit="prompts")

    return tick


def measure_composition(seeds_per_prompt, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    """Seen vs. held-out fidelity of the bundled model, with intervals and the claim's verdict."""
    from core.diffusion.attributes import load
    from core.diffusion.claims import measure

    seeds = whole_number(seeds_per_prompt, "samples per prompt", 1, choices.MAX_COMPOSE_SEEDS)
    tick = _ticks(progress, "ask for fewer samples per prompt")
    result = measure(get_model(NAME, BUNDLED), load(), seeds, progress=tick)
    return f"**Claim:** {result.claim_line()}", result.rows()


def compare_few_steps(prompt, seed, steps, guidance, scheduler, source, fast_source, fast_steps):
    """Both images for the same prompt and seed, each with its time and number of network evaluations."""
    from core.diffusion.few_steps import requests_for, side_by_side, speed_line

    text(fast_source, "distilled model", max_chars=MAX_MODEL_CHARS, example=BUNDLED, allow_empty=True)
    original, fast = get_model(NAME, source), get_model(DISTILLED_NAME, fast_source)
    requests = requests_for(original, fast, prompt, seed, steps, guidance, scheduler, fast_steps)
    slow_side, fast_side = side_by_side(original, requests[0], fast, requests[1])
    return enlarge(slow_side.result.images[0]), enlarge(fast_side.result.images[0]), speed_line(slow_side, fast_side)


def measure_few_steps(steps, guidance, scheduler, fast_steps, seeds_per_prompt, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    """Fidelity of the bundled model and its distilled student on the same prompts and seeds, with the verdict."""
    from core.diffusion.attributes import load
    from core.diffusion.few_steps import measure, requests_for

    seeds = whole_number(seeds_per_prompt, "samples per prompt", 1, choices.MAX_COMPOSE_SEEDS)
    original, fast = get_model(NAME, BUNDLED), get_model(DISTILLED_NAME, BUNDLED)
    requests = requests_for(original, fast, "a red circle", 0, steps, guidance, scheduler, fast_steps)
    tick = _ticks(progress, "ask for fewer samples per prompt or fewer steps")
    result = measure(original, fast, load(), *requests, seeds_per_prompt=seeds, progress=tick)
    return f"**Claim:** {result.claim_line()}", result.rows()


def fast_model_changed(fast_source: str):
    return few_step_settings(fast_source.strip() if isinstance(fast_source, str) else BUNDLED).steps


def inpaint_source(kind, caption, upload, last, seed):
    """Load the chosen image into the editor, enlarged so it can be painted on."""
    return enlarge(chosen_image(kind, caption, upload, last, check_seed(seed)))


def inpaint_run(editor, region, prompt, seed, steps, guidance, scheduler, source):
    model = get_model(NAME, source)
    request = diffusion.generate.check_request(model, prompt, seed, steps, guidance, scheduler, 1)
    kept, result = diffusion.generate.inpaint_edited(model, request, editor, region)
    return enlarge(kept), enlarge(result.images[0])


# On a phone (under 640 px) the galleries' 100 px minimum per column hides images past the right edge: there the
# 4 images go 2 by 2, and the 8 timeline frames 4 by 2 at their full height, so that t = 0 shows too.
PHONE_GALLERIES = """<style>
@media (max-width: 640px) {
  #images .grid-container { grid-template-columns: repeat(2, minmax(0, 1fr)) !important; }
  #timeline .grid-container { grid-template-columns: repeat(4, minmax(0, 1fr)) !important; }
  #timeline, #timeline .grid-wrap { height: auto !important; }
}
</style>"""


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
            gr.Markdown(explained.WEAKNESSES)
            examples = gr.Examples(
                explained.EXAMPLES, [prompt, seed], label="Examples: click one; the last 3 show the weaknesses"
            )
            with gr.Row():
                run = gr.Button("Generate", variant="primary", scale=3)
                stop = gr.Button("Stop", variant="stop", scale=1)
            status = gr.Markdown(elem_id="status")
            with gr.Row():
                live_x_t = gr.Image(label="current x_t", interactive=False, format="png", elem_id="live-x-t")
                live_x0 = gr.Image(
                    label="predicted clean image x_0", interactive=False, format="png", elem_id="live-x0"
                )
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
            with gr.Row():
                shown_x0 = gr.Image(label="x_0", interactive=False, format="png")
                shown_x_t = gr.Image(label="x_t ~ q(x_t | x_0)", interactive=False, format="png")
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
            with gr.Row():
                erased = gr.Image(label="kept pixels (erased in black)", interactive=False, format="png")
                filled = gr.Image(label="inpainted", interactive=False, format="png")
        with gr.Tab("Does it compose?", id="compose"):
            gr.Markdown(explained.COMPOSITION)
            with gr.Row():
                compose_seeds = gr.Slider(
                    1, choices.MAX_COMPOSE_SEEDS, value=1, step=1, label=explained.COMPOSITION_TIME, min_width=300
                )
                compose_btn = gr.Button("Measure", variant="primary")
                compose_stop = gr.Button("Stop", variant="stop")
            compose_claim = gr.Markdown()
            compose_table = gr.Dataframe(
                headers=choices.COMPOSE_HEADERS, interactive=False, wrap=True, elem_id="compose-table",
                label="Right (95% interval)",
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
                    1, choices.MAX_DISTILLED_STEPS, value=few_step_settings(DEFAULT_FAST).steps, step=1,
                    label="Distilled steps", info="the original uses the steps, guidance and scheduler of the Generate tab",
                )  # fmt: skip
                compare_btn = gr.Button("Compare", variant="primary")
            with gr.Row():
                slow_image = gr.Image(label="original", interactive=False, format="png", elem_id="slow-image")
                fast_image = gr.Image(label="distilled", interactive=False, format="png", elem_id="fast-image")
            speed = gr.Markdown(elem_id="few-steps-speed")
            gr.Markdown(explained.FEW_STEPS_FIDELITY)
            with gr.Row():
                fidelity_seeds = gr.Slider(
                    1, choices.MAX_COMPOSE_SEEDS, value=1, step=1, label=explained.FEW_STEPS_TIME, min_width=300
                )
                fidelity_btn = gr.Button("Measure fidelity", variant="primary")
                fidelity_stop = gr.Button("Stop", variant="stop")
            fidelity_claim = gr.Markdown()
            fidelity_table = gr.Dataframe(
                headers=choices.FIDELITY_HEADERS, interactive=False, wrap=True, elem_id="few-steps-table",
                label="Right (95% interval)",
            )  # fmt: skip
    last_image = gr.State(None)
    api_gallery, api_image = gr.Gallery(visible=False, format="png"), gr.Image(visible=False, format="png")
    api_seed, api_message = gr.Number(visible=False, precision=0), gr.Textbox(visible=False)
    api_button, api_batched = gr.Button(visible=False), gr.Button(visible=False)

    generate_inputs = [prompt, seed, randomize, steps, guidance, scheduler, batch, source]
    live_outputs = [live_x_t, live_x0, gallery, timeline, used_seed, status, last_image]
    # Progress shows on the gallery, where the images will land, so the live previews stay uncovered.
    generating = gr.on(
        [run.click, prompt.submit], generate_live, generate_inputs, live_outputs, api_name="generate_live",
        show_progress_on=gallery,
    )  # fmt: skip
    from_example = examples.load_input_event.then(
        generate_live, generate_inputs, live_outputs, show_progress_on=gallery, api_visibility="undocumented"
    )
    stop.click(None, cancels=[generating, from_example])
    composing = compose_btn.click(
        measure_composition, compose_seeds, [compose_claim, compose_table], api_name="compose"
    )
    compose_stop.click(None, cancels=[composing])
    compare_btn.click(
        compare_few_steps, [prompt, seed, steps, guidance, scheduler, source, fast_source, fast_steps],
        [slow_image, fast_image, speed], api_name="compare_few_steps",
    )  # fmt: skip
    fast_source.change(fast_model_changed, fast_source, fast_steps, api_visibility="undocumented")
    measuring = fidelity_btn.click(
        measure_few_steps, [steps, guidance, scheduler, fast_steps, fidelity_seeds], [fidelity_claim, fidelity_table],
        api_name="few_steps_fidelity",
    )  # fmt: skip
    fidelity_stop.click(None, cancels=[measuring])
    words.click(add_phrase, [prompt, words], prompt, queue=False, api_visibility="undocumented")
    source.change(model_changed, source, [steps, guidance, licence, words], api_name="model_settings")
    api_inputs = [prompt, seed, steps, guidance, scheduler, batch, source]
    api_button.click(generate_final, api_inputs, [api_gallery, api_seed], api_name="generate")
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
        inpaint_source,
        [inpaint_kind, inpaint_caption, inpaint_upload, last_image, seed],
        editor,
        api_name="inpaint_image",
    )
    inpaint_btn.click(
        inpaint_run, [editor, region, prompt, seed, steps, guidance, scheduler, source], [erased, filled],
        api_name="inpaint",
    )  # fmt: skip
    link_inputs(
        demo,
        {
            "prompt": prompt, "seed": seed, "steps": steps, "guidance": guidance, "scheduler": scheduler,
            "batch": batch, "model": source, "tab": tabs, "t": timestep, "distilled": fast_source,
            "distilled_steps": fast_steps,
        },
    )  # fmt: skip

if __name__ == "__main__":
    from apps.serving import launch

    launch(demo)
