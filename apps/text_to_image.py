"""Text to image with diffusion: generate from a caption and watch the noise turn into a picture, explore the
forward process q(x_t | x_0), and inpaint an erased region.

torch and diffusers load on the first click: the handlers reach the heavy modules as attributes of
`core.diffusion`, which imports them on first use (safely across threads), so the page itself builds fast.
"""

import random

import gradio as gr
import numpy as np

import core.diffusion as diffusion
from apps.deep_links import link_inputs
from apps.errors import user_errors
from apps.hosting import model_line
from core.diffusion import models as _registered  # noqa: F401 - registers "text-to-image", importing nothing heavy
from core.diffusion.choices import (
    BUNDLED,
    COMPOSE_HEADERS,
    DEFAULT_SCHEDULER,
    DISTILLED_NAME,
    DISTILLED_SOURCES,
    FIDELITY_HEADERS,
    MAX_BATCH,
    MAX_COMPOSE_SEEDS,
    MAX_DISTILLED_STEPS,
    MAX_GUIDANCE,
    MAX_STEPS,
    NAME,
    NOISE_SCHEDULES,
    SCHEDULER_NAMES,
    SOURCES,
    TIMESTEPS,
    few_step_settings,
    settings_for,
)
from core.diffusion.display import PAINTED, REGIONS, editor_image, enlarge, erase_mask, shrink, tile
from core.diffusion.shapes import known_phrases, render_caption
from core.runtime import default_source, get_model
from core.runtime.limits import Deadline, time_limited
from core.runtime.registry import model_menu
from core.runtime.seeding import MAX_SEED, check_seed
from core.runtime.validate import MAX_MODEL_CHARS, text, whole_number

DEFAULT_SOURCE = default_source(NAME)  # "bundled", or the hub model a GPU Space sets in GENAI_MODEL_TEXT_TO_IMAGE
DEFAULT_FAST = default_source(DISTILLED_NAME)  # "bundled", or SD-Turbo on a GPU Space
DEFAULT_PROMPT = "a small red circle on the left"
EXAMPLES = [
    ["a large blue square in the centre", 0],
    ["a green circle on the right", 2],
    ["a small yellow triangle at the top", 1],
    ["a blue square above a yellow triangle", 3],
    ["a red circle to the left of a green triangle", 4],
]
WEAKNESSES = """**This model's known weaknesses, which some examples show on purpose.** *Binding* of two shapes
fails: it often swaps their colours or shapes (25% of two-shape samples [19%, 32%], n = 160) and gets both shapes
right in the right places in only 19% [14%, 26%]: the two-shape examples show it. *Placement*: one shape lands in the
named place 82% of the time [76%, 87%], n = 192, so some of four images put it elsewhere (the triangle at the top
shows it). Brackets: 95% Wilson intervals, measured by `python -m core.diffusion.evaluate` (README)."""
IMAGE_SOURCES = ("rendered from a caption", "last generated image", "upload")
REGION_CHOICES = (PAINTED, *REGIONS)

INTRO = """# Text to image with diffusion
The **forward process** adds Gaussian noise step by step until the image is pure noise. A network (a UNet that
reads the caption through cross-attention) learns to **reverse each step**. **Generation** starts from random
noise x_T and denoises it into a new image, here while you watch: the current x_t, and the clean image the
network predicts from it. Classifier-free guidance w pushes the prediction away from the caption-free one."""


def _model(source: str):
    with user_errors():
        return get_model(NAME, source)


def _request(model, prompt, seed, steps, guidance, scheduler, batch):
    with user_errors():
        return diffusion.generate.check_request(model, prompt, seed, steps, guidance, scheduler, batch)


def add_phrase(prompt: str, chosen: list) -> str:
    """Append a clicked word chip to the prompt."""
    return " ".join([*(prompt or "").split(), chosen[0]])


def pick_seed(seed, randomize: bool) -> int:
    return random.randint(0, MAX_SEED) if randomize else seed


def generate_live(prompt, seed, randomize, steps, guidance, scheduler, batch, source, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    """Stream the reverse process: previews of x_t and the predicted x_0, then the gallery and the timeline."""
    model = _model(source)
    request = _request(model, prompt, pick_seed(seed, randomize), steps, guidance, scheduler, batch)
    progress((0, request.steps), desc="denoising", unit="steps")
    for out in time_limited(diffusion.generate.generate(model, request), "ask for fewer steps or a smaller batch"):
        if isinstance(out, diffusion.generate.Preview):
            progress((out.step, out.steps), desc="denoising", unit="steps")
            status = f"step {out.step} of {out.steps} (t = {out.timestep})"
            yield tile(out.x_t), tile(out.x0_pred), gr.skip(), gr.skip(), gr.skip(), status, gr.skip()
            continue
        yield _finished(out, request)


def _finished(result, request):
    timeline = [(enlarge(frame), f"t = {t}") for t, frame in result.timeline]
    flagged = sum(result.flagged)
    note = f" The safety checker blanked {flagged} image(s)." if flagged else ""
    status = f"{request.steps} steps in {result.seconds:.2f} s with {request.scheduler}, seed {result.seed}.{note}"
    final = tile(result.images)
    gallery = [enlarge(im) for im in result.images]
    return final, final, gallery, timeline, result.seed, status, result.images[0]


def generate_final(prompt, seed, steps, guidance_scale, scheduler="DPM-Solver++", batch_size=1, model=BUNDLED):
    """The images and the seed used (the `/generate` API and the cached examples)."""
    loaded = _model(model)
    request = _request(loaded, prompt, seed, steps, guidance_scale, scheduler, batch_size)
    result = diffusion.generate.final(loaded, request)
    return [enlarge(im) for im in result.images], result.seed


def generate_batched(prompt, seed, steps, guidance_scale, scheduler, model):
    """Gradio batching: requests that arrive together come as lists, one item per request, unprocessed (the event
    skips Gradio's own checks, which would fail the whole batch). Each request is checked on its own, and the valid
    ones for the same model share passes through the UNet. Gradio answers a batch as a whole and cannot fail one
    item, so every request gets (image, seed, message): a request that ran gets its image, its seed and "", one
    that could not gets no image, no seed and its own message, and never fails the others."""
    asks = list(zip(prompt, seed, steps, guidance_scale, scheduler, model, strict=True))
    answers = [_batched_answer(outcome) for outcome in diffusion.generate.generate_each(asks)]
    return [list(column) for column in zip(*answers, strict=True)]


def _batched_answer(outcome):
    """(image, seed, "") for a request that ran, (None, None, message) for one that failed (`user_errors`' text)."""
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


def explore_image(kind: str, caption: str, upload, last, seed) -> np.ndarray:
    """The x_0 for the forward-process explorer, as a (H, W, 3) uint8 array."""
    with user_errors():
        if kind == IMAGE_SOURCES[1]:
            if last is None:
                raise ValueError("no image generated yet: generate one in the first tab, or pick another source")
            return np.asarray(last)
        if kind == IMAGE_SOURCES[2]:
            if upload is None:
                raise ValueError("no image uploaded: drop a PNG or JPEG on the upload box")
            image = np.asarray(upload)[..., :3]
            return shrink(image, 64) if min(image.shape[:2]) >= 64 else image
        return render_caption(caption, check_seed(seed))


def forward_explore(kind, caption, upload, last, t, schedule, seed):
    with user_errors():
        t, seed = whole_number(t, "timestep t", 0, TIMESTEPS - 1), check_seed(seed)
    x_0 = explore_image(kind, caption, upload, last, seed)
    with user_errors():
        x_t = diffusion.forward.q_sample_picture(x_0, t, seed, schedule)
        abar = float(diffusion.forward.schedule(schedule).alphas_cumprod[t])
    info = f"t = {t}: sqrt(alpha-bar) = {abar**0.5:.3f} of the signal is left, noise std {(1 - abar) ** 0.5:.3f}"
    return enlarge(x_0), enlarge(x_t), diffusion.charts.schedule_figure(t), info


COMPOSE_INTRO = """Does the model compose words it never saw together? Twelve colour-shape-place combinations (e.g.
*a red circle on the left*) were **left out of its training captions**, though every colour, shape and place was
in them. This draws every single-shape prompt, seen and held out, at the default settings (DPM-Solver++, 20 steps,
guidance 3), and a separate classifier trained on rendered images judges each picture. Brackets: 95% intervals.
Measured on the bundled model, the only one whose shapes the judge knows."""


def measure_composition(seeds_per_prompt, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    """Seen vs. held-out fidelity of the bundled model, with intervals and the claim's verdict."""
    from core.diffusion import attributes
    from core.diffusion.claims import measure

    with user_errors():
        seeds = whole_number(seeds_per_prompt, "samples per prompt", 1, MAX_COMPOSE_SEEDS)
    model = get_model(NAME, BUNDLED)
    deadline = Deadline("ask for fewer samples per prompt")

    def tick(done: int, total: int) -> None:
        deadline.check()
        progress((done, total), desc=f"prompts drawn and judged: {done}/{total}", unit="prompts")

    with user_errors():
        result = measure(model, attributes.load(), seeds, progress=tick)
    return f"**Claim:** {result.claim_line()}", result.rows()


FEW_STEPS_INTRO = """Diffusion is slow because sampling calls the network once per step, and twice with guidance (with
and without the caption). **Distillation** trains a student to jump along the original model's path: a
*consistency model* (LCM, as in LCM-LoRA) maps any noisy point straight to the clean image, so 1-4 steps suffice,
and it reads the guidance scale as an input, one call per step. SD-Turbo (adversarial distillation) does the same
for Stable Diffusion. Same prompt (above), same seed, both timed on this machine."""

FEW_STEPS_FIDELITY = """What does the speed cost? Both models draw every single-shape prompt with the same seeds at the
settings above, and the attribute classifier judges each picture (bundled models only)."""


def _distilled(source: str):
    with user_errors():
        return get_model(DISTILLED_NAME, source)


def _few_step_requests(original, fast, prompt, seed, steps, guidance, scheduler, fast_source, fast_steps):
    """The original's request and the distilled model's (its own sampler; the bundled student takes the same w)."""
    settings = few_step_settings(fast_source)
    fast_guidance = guidance if fast.source == BUNDLED else settings.guidance
    with user_errors():
        fast_steps = whole_number(fast_steps, "distilled steps", 1, MAX_DISTILLED_STEPS)
    return (
        _request(original, prompt, seed, steps, guidance, scheduler, 1),
        _request(fast, prompt, seed, fast_steps, fast_guidance, settings.scheduler, 1),
    )


def compare_few_steps(prompt, seed, steps, guidance, scheduler, source, fast_source, fast_steps):
    """Both images for the same prompt and seed, each with its time and number of network evaluations."""
    from core.diffusion.few_steps import side_by_side, speed_line

    with user_errors():
        text(fast_source, "distilled model", max_chars=MAX_MODEL_CHARS, example=BUNDLED, allow_empty=True)
    original, fast = _model(source), _distilled(fast_source)
    requests = _few_step_requests(original, fast, prompt, seed, steps, guidance, scheduler, fast_source, fast_steps)
    with user_errors():
        slow_side, fast_side = side_by_side(original, requests[0], fast, requests[1])
    return enlarge(slow_side.result.images[0]), enlarge(fast_side.result.images[0]), speed_line(slow_side, fast_side)


def measure_few_steps(steps, guidance, scheduler, fast_steps, seeds_per_prompt, progress=gr.Progress()):  # noqa: B008 - Gradio fills it in
    """Fidelity of the bundled model and its distilled student on the same prompts and seeds, with the verdict."""
    from core.diffusion import attributes
    from core.diffusion.few_steps import measure

    with user_errors():
        seeds = whole_number(seeds_per_prompt, "samples per prompt", 1, MAX_COMPOSE_SEEDS)
    original, fast = get_model(NAME, BUNDLED), get_model(DISTILLED_NAME, BUNDLED)
    requests = _few_step_requests(original, fast, "a red circle", 0, steps, guidance, scheduler, BUNDLED, fast_steps)
    deadline = Deadline("ask for fewer samples per prompt or fewer steps")

    def tick(done: int, total: int) -> None:
        deadline.check()
        progress((done, total), desc=f"prompts drawn and judged: {done}/{total}", unit="prompts")

    with user_errors():
        result = measure(original, fast, attributes.load(), *requests, seeds_per_prompt=seeds, progress=tick)
    return f"**Claim:** {result.claim_line()}", result.rows()


def fast_model_changed(fast_source: str):
    settings = few_step_settings(fast_source.strip() if isinstance(fast_source, str) else BUNDLED)
    return settings.steps


def inpaint_source(kind, caption, upload, last, seed):
    """Load the chosen image into the editor, enlarged so it can be painted on."""
    return enlarge(explore_image(kind, caption, upload, last, seed))


def inpaint_run(editor, region, prompt, seed, steps, guidance, scheduler, source):
    model = _model(source)
    request = _request(model, prompt, seed, steps, guidance, scheduler, 1)
    with user_errors():
        image = editor_image((editor or {}).get("background"), model.size)
        erase = erase_mask(region, (editor or {}).get("layers") or [], model.size)
        result = diffusion.generate.inpaint(model, request, image, keep=~erase)
    shown = image.copy()
    shown[erase] = 0  # erased pixels in black
    return enlarge(shown), enlarge(result.images[0])


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
    gr.Markdown(INTRO)
    gr.Markdown(model_line(NAME))
    with gr.Row():
        prompt = gr.Textbox(value=DEFAULT_PROMPT, label="Prompt", scale=3, max_lines=2, min_width=300)
        source = gr.Dropdown(
            model_menu(NAME, SOURCES), value=DEFAULT_SOURCE, label="Model", allow_custom_value=True, scale=2,
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
                    1, MAX_STEPS, value=settings_for(DEFAULT_SOURCE).steps, step=1, label="Steps", min_width=260,
                    info=f"up to {MAX_STEPS}, about half a minute for 4 images on a laptop CPU",
                )  # fmt: skip
                guidance = gr.Slider(
                    0, MAX_GUIDANCE, value=settings_for(DEFAULT_SOURCE).guidance, step=0.5, label="Guidance scale",
                    info="w; at 1 or below guidance is off", min_width=260,
                )  # fmt: skip
            with gr.Row():
                scheduler = gr.Radio(list(SCHEDULER_NAMES), value=DEFAULT_SCHEDULER, label="Scheduler")
                batch = gr.Slider(1, MAX_BATCH, value=4, step=1, label="Batch size")
            gr.Markdown(WEAKNESSES)
            examples = gr.Examples(
                EXAMPLES, [prompt, seed], label="Examples: click one; the last 3 show the weaknesses"
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
                timestep = gr.Slider(0, TIMESTEPS - 1, value=250, step=1, label="Timestep t", min_width=300)
                schedule = gr.Radio(list(NOISE_SCHEDULES), value=NOISE_SCHEDULES[0], label="Noise schedule")
            noise_info = gr.Markdown()
            with gr.Row():
                shown_x0 = gr.Image(label="x_0", interactive=False, format="png")
                shown_x_t = gr.Image(label="x_t ~ q(x_t | x_0)", interactive=False, format="png")
            schedule_plot = gr.Plot(label="Schedules")
        with gr.Tab("Inpainting", id="inpainting"):
            gr.Markdown(
                "Erase part of an image and let the model fill it from the prompt above: at every step the kept "
                "pixels are replaced by the original noised to that step (RePaint), so only the erased part is new."
            )
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
            gr.Markdown(COMPOSE_INTRO)
            with gr.Row():
                compose_seeds = gr.Slider(
                    1,
                    MAX_COMPOSE_SEEDS,
                    value=1,
                    step=1,
                    label="Samples per prompt (1: about 3 min on a busy 2-core CPU, at the 180 s limit; more: a GPU)",
                )
                compose_btn = gr.Button("Measure", variant="primary")
                compose_stop = gr.Button("Stop", variant="stop")
            compose_claim = gr.Markdown()
            compose_table = gr.Dataframe(
                headers=COMPOSE_HEADERS,
                interactive=False,
                wrap=True,
                elem_id="compose-table",
                label="Right (95% interval)",
            )
        with gr.Tab("Few steps (distilled)", id="few-steps"):
            gr.Markdown(FEW_STEPS_INTRO)
            with gr.Row():
                fast_source = gr.Dropdown(
                    model_menu(DISTILLED_NAME, DISTILLED_SOURCES), value=DEFAULT_FAST,
                    label="Distilled model", allow_custom_value=True,
                    info="'bundled': the bundled model distilled here; hub ids need a GPU",
                )  # fmt: skip
                fast_steps = gr.Slider(
                    1, MAX_DISTILLED_STEPS, value=few_step_settings(DEFAULT_FAST).steps, step=1, label="Distilled steps",
                    info="the original uses the steps, guidance and scheduler of the Generate tab",
                )  # fmt: skip
                compare_btn = gr.Button("Compare", variant="primary")
            with gr.Row():
                slow_image = gr.Image(label="original", interactive=False, format="png", elem_id="slow-image")
                fast_image = gr.Image(label="distilled", interactive=False, format="png", elem_id="fast-image")
            speed = gr.Markdown(elem_id="few-steps-speed")
            gr.Markdown(FEW_STEPS_FIDELITY)
            with gr.Row():
                fidelity_seeds = gr.Slider(
                    1, MAX_COMPOSE_SEEDS, value=1, step=1,
                    label="Samples per prompt (1: about 45 s on a CPU, 4: about 3 min)",
                )  # fmt: skip
                fidelity_btn = gr.Button("Measure fidelity", variant="primary")
                fidelity_stop = gr.Button("Stop", variant="stop")
            fidelity_claim = gr.Markdown()
            fidelity_table = gr.Dataframe(
                headers=FIDELITY_HEADERS, interactive=False, wrap=True, elem_id="few-steps-table",
                label="Right (95% interval)",
            )  # fmt: skip
    last_image = gr.State(None)
    api_gallery = gr.Gallery(visible=False, format="png")
    api_image = gr.Image(visible=False, format="png")
    api_seed = gr.Number(visible=False, precision=0)
    api_message = gr.Textbox(visible=False)
    api_button = gr.Button(visible=False)
    api_batched = gr.Button(visible=False)

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
        measure_composition, compose_seeds, [compose_claim, compose_table], api_name="compose",
    )  # fmt: skip
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
        batch=True, max_batch_size=MAX_BATCH, preprocess=False, api_name="generate_batched",
    )  # fmt: skip
    forward_inputs = [image_kind, caption, upload, last_image, timestep, schedule, seed]
    gr.on(
        [timestep.release, schedule.change, image_kind.change, caption.submit, upload.change, forward_tab.select],
        forward_explore, forward_inputs, [shown_x0, shown_x_t, schedule_plot, noise_info], api_name="forward",
    )  # fmt: skip
    load_btn.click(
        inpaint_source, [inpaint_kind, inpaint_caption, inpaint_upload, last_image, seed], editor,
        api_name="inpaint_image",
    )  # fmt: skip
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
