"""Diffusion as the course tells it: noise is added step by step, a network learns to undo it, and sampling
starts from noise. Run on the bundled model, and on a tiny random Stable Diffusion pipeline for the GPU path."""

import json
import re

import numpy as np
import pytest
import torch

from core.diffusion import forward, shapes
from core.diffusion import models as _registered  # noqa: F401 - registers "text-to-image"
from core.diffusion.choices import MAX_STEPS, NAME
from core.diffusion.generate import (
    Preview,
    Result,
    check_request,
    final,
    generate,
    generate_each,
    generate_many,
    inpaint,
)
from core.diffusion.sampling import denoise, predict_start_from_noise
from core.diffusion.schedulers import SCHEDULERS, make_scheduler, set_timesteps, training_scheduler
from core.diffusion.text import build_tokenizer, unknown_words
from core.runtime import ModelUnavailable, get_model


@pytest.fixture(scope="module")
def bundled(one_torch_thread):
    return get_model(NAME)


def ask(model, prompt="a small red circle on the left", seed=0, steps=8, guidance=3.0, scheduler="DDIM", batch=2):
    return check_request(model, prompt, seed, steps, guidance, scheduler, batch)


# Golden values (diffusers' style): prompt "a small red circle on the left", seed 0, 8 steps, guidance 3, 2 images;
# pixels 0, 2, ..., 14 of row 16 of the first image, (8, 3) uint8. They change when the bundled model is retrained
# or a sampler changes: print `final(...).images[0, 16, 0:16:2]` anew and check the images by eye in the demo.
# fmt: off
GOLDEN = {
    "DDPM": [[29, 25, 33], [24, 23, 34], [227, 38, 43], [224, 43, 41], [222, 43, 39], [219, 43, 42], [26, 27, 32], [26, 26, 34]],
    "DDIM": [[26, 24, 35], [23, 15, 31], [219, 43, 47], [243, 44, 39], [226, 49, 44], [212, 44, 37], [42, 48, 32], [25, 36, 32]],
    "DPM-Solver++": [[28, 29, 36], [31, 30, 37], [198, 42, 42], [222, 44, 43], [218, 42, 44], [218, 42, 45], [24, 29, 37], [32, 29, 35]],
}
# fmt: on
GOLDEN["Euler"] = GOLDEN["DDIM"]  # Euler's first-order steps in sigma space are DDIM's (Karras et al. 2022)


@pytest.mark.parametrize("scheduler", list(SCHEDULERS))
def test_a_seeded_sampling_loop_draws_the_golden_image(bundled, scheduler):
    images = final(bundled, ask(bundled, scheduler=scheduler)).images
    other_seed = final(bundled, ask(bundled, scheduler=scheduler, seed=1)).images
    assert images.shape == (2, 32, 32, 3) and images.dtype == np.uint8
    # two levels of 255 for float rounding on another CPU, thread count or device
    np.testing.assert_allclose(images[0, 16, 0:16:2].astype(int), GOLDEN[scheduler], atol=2, rtol=0)
    assert np.abs(images.astype(int) - other_seed.astype(int)).mean() > 1.0


def test_the_demo_loop_and_ddim_written_from_the_paper_draw_the_same_images(bundled):
    """Two independent routes to the same reverse process: the demo's loop with diffusers' DDIMScheduler, and
    DDIM's deterministic update (Song et al. 2021, eq. 12 with sigma_t = 0) written out here with its own
    classifier-free guidance: x_{t-k} = sqrt(abar_{t-k}) x0_pred + sqrt(1 - abar_{t-k}) eps."""
    from core.diffusion.pipeline import to_images
    from core.runtime.seeding import randn

    steps, guidance, prompt = 8, 3.0, "a large green square at the top"
    by_demo = final(bundled, ask(bundled, prompt, seed=11, steps=steps, guidance=guidance, scheduler="DDIM"))

    pipe, abar = bundled.pipe, training_scheduler().alphas_cumprod  # (1000,)
    text, empty = pipe.encode([prompt] * 2), pipe.encode([""] * 2)  # (2, 16, 64) each
    x = randn((2, 3, 32, 32), 11, bundled.device)  # x_T, as the demo draws it from the seed
    stride = 1000 // steps
    with torch.no_grad():
        for t in range(stride * (steps - 1), -1, -stride):  # "leading" spacing: 875, 750, ..., 0
            timestep = torch.tensor(t)
            eps_text = pipe.unet(x, timestep, encoder_hidden_states=text).sample
            eps_empty = pipe.unet(x, timestep, encoder_hidden_states=empty).sample
            eps = eps_empty + guidance * (eps_text - eps_empty)
            x0_pred = (x - (1 - abar[t]).sqrt() * eps) / abar[t].sqrt()
            abar_prev = abar[t - stride] if t >= stride else torch.tensor(1.0)  # x_0 itself after the last step
            x = abar_prev.sqrt() * x0_pred + (1 - abar_prev).sqrt() * eps
    by_paper = to_images(x)
    assert np.abs(by_paper.astype(int) - by_demo.images.astype(int)).max() <= 1  # float rounding only


def test_forward_noising_at_the_last_step_is_close_to_a_standard_normal():
    image = shapes.render(shapes.parse_caption("a large yellow square in the centre"), np.random.default_rng(0))
    image = np.tile(image, (4, 4, 1))  # (128, 128, 3): enough pixels for tight moments
    x_0 = torch.from_numpy(image).permute(2, 0, 1).float() / 127.5 - 1  # (3, 128, 128)
    x_t = forward.q_sample(image, 999, seed=0, schedule_name=forward.DEFAULT_SCHEDULE)[0]
    assert abs(float(x_t.mean())) < 0.02 and abs(float(x_t.std()) - 1) < 0.02
    assert abs(np.corrcoef(x_t.flatten().numpy(), x_0.flatten().numpy())[0, 1]) < 0.05
    early = forward.q_sample(image, 10, seed=0, schedule_name=forward.DEFAULT_SCHEDULE)[0]
    assert np.corrcoef(early.flatten().numpy(), x_0.flatten().numpy())[0, 1] > 0.95


def test_stable_diffusions_schedule_leaves_a_trace_of_the_image_at_the_last_step():
    """Its "scaled linear" schedule ends at alpha-bar 0.0047: x_T keeps 6.8% of the image, not pure noise."""
    image = np.tile(
        shapes.render(shapes.parse_caption("a large yellow square in the centre"), np.random.default_rng(0)), (4, 4, 1)
    )
    x_0 = torch.from_numpy(image).permute(2, 0, 1).float() / 127.5 - 1
    name = "scaled linear (Stable Diffusion)"
    abar = float(forward.schedule(name).alphas_cumprod[999])
    x_t = forward.q_sample(image, 999, seed=0, schedule_name=name)[0]
    noise = x_t - abar**0.5 * x_0  # what is left once the image's share is taken out
    assert 0.004 < abar < 0.005
    assert abs(float(noise.mean())) < 0.02 and abs(float(noise.std()) - (1 - abar) ** 0.5) < 0.02
    assert abs(float(x_t.mean()) - abar**0.5 * float(x_0.mean())) < 0.02


def test_the_predicted_clean_image_undoes_the_forward_process_given_the_true_noise():
    scheduler = training_scheduler()
    x_0 = torch.rand(2, 3, 8, 8) * 2 - 1
    noise = torch.randn(2, 3, 8, 8)
    t = torch.tensor([300, 300])
    x_t = scheduler.add_noise(x_0, noise, t)
    recovered = predict_start_from_noise(x_t, noise, scheduler.alphas_cumprod[300])
    torch.testing.assert_close(recovered, x_0, atol=1e-5, rtol=0)


def test_alpha_bar_falls_and_snr_crosses_one_once():
    for name in forward.SCHEDULES:
        c = forward.curves(name)
        assert np.all(np.diff(c["alpha_bar"]) < 0) and c["alpha_bar"][0] > 0.99 and c["alpha_bar"][-1] < 0.01
        assert np.sum(np.diff(np.sign(c["log10_snr"])) != 0) == 1


def test_inpainting_keeps_the_unmasked_pixels(bundled):
    image = shapes.render(shapes.parse_caption("a large blue square on the left"), np.random.default_rng(0))
    keep = np.ones((32, 32), dtype=bool)
    keep[:, 16:] = False  # regenerate the right half
    result = inpaint(bundled, ask(bundled, "a red circle on the right", batch=1), image, keep)
    np.testing.assert_array_equal(result.images[0][keep], image[keep])
    assert not np.array_equal(result.images[0][~keep], image[~keep])


def test_generation_streams_throttled_previews_then_the_result(bundled):
    outputs = list(generate(bundled, ask(bundled, steps=20, batch=1)))
    previews, result = outputs[:-1], outputs[-1]
    assert isinstance(result, Result) and all(isinstance(p, Preview) for p in previews)
    assert len(previews) <= 10
    assert [p.step for p in previews] == sorted(p.step for p in previews)
    assert all(p.x_t.shape == p.x0_pred.shape == (1, 32, 32, 3) for p in previews)
    timesteps = [t for t, _ in result.timeline]
    assert len(timesteps) == 8 and timesteps == sorted(timesteps, reverse=True)


def test_requests_of_several_images_sampled_together_draw_what_they_draw_alone(bundled):
    """DDPM adds fresh noise at every step, from each request's own generator, which its images share as they do
    alone: one batch of a 2-image, a 1-image and a 2-image request draws what each draws alone, and the golden
    image."""
    requests = [
        ask(bundled, scheduler="DDPM"),
        ask(bundled, "a large green square at the top", seed=4, scheduler="DDPM", batch=1),
        ask(bundled, "a large blue square in the centre", seed=5, scheduler="DDPM"),
    ]
    together = generate_many(bundled, requests)
    assert [images.shape for images in together] == [(2, 32, 32, 3), (1, 32, 32, 3), (2, 32, 32, 3)]
    for images, request in zip(together, requests, strict=True):
        alone = final(bundled, request).images
        assert np.abs(images.astype(int) - alone.astype(int)).max() <= 2  # batched float sums may round differently
    np.testing.assert_allclose(together[0][0, 16, 0:16:2].astype(int), GOLDEN["DDPM"], atol=2, rtol=0)


@pytest.mark.parametrize(
    ("prompt", "kwargs", "message"),
    [
        ("   ", {}, "prompt is empty"),
        ("a red circle " * 30, {}, "keep it to at most 200"),
        ("a purple dog on the left", {}, "does not know the words 'purple', 'dog'"),
        ("a red circle on the left", {"steps": 0}, "steps must be a whole number from 1 to 250"),
        ("a red circle on the left", {"steps": 2.5}, "steps must be a whole number"),
        ("a red circle on the left", {"guidance": float("nan")}, "guidance scale must be a number from 0 to 20"),
        ("a red circle on the left", {"guidance": 50}, "guidance scale must be a number from 0 to 20"),
        ("a red circle on the left", {"batch": 9}, "batch size must be a whole number from 1 to 8"),
        ("a red circle on the left", {"scheduler": "PNDM"}, "scheduler must be one of DDPM, DDIM"),
        ("a red circle on the left", {"seed": -1}, "seed must be a whole number"),
    ],
)
def test_bad_requests_say_what_to_fix(bundled, prompt, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ask(bundled, prompt, **kwargs)


def test_the_tokenizer_knows_the_captions_and_names_unknown_words(tmp_path):
    tokenizer = build_tokenizer()
    rng = np.random.default_rng(0)
    for _ in range(50):
        assert unknown_words(tokenizer, shapes.random_scene(rng).caption) == []
    assert unknown_words(tokenizer, "An orange circle, in the CENTER!") == ["orange"]
    tokenizer.save_pretrained(tmp_path)
    from transformers import AutoTokenizer

    again = AutoTokenizer.from_pretrained(tmp_path)
    ids = tokenizer("a small red circle on the left").input_ids
    assert again("A small red circle on the left.").input_ids == ids
    assert ids[0] == tokenizer.bos_token_id and ids[-1] == tokenizer.eos_token_id


def test_rendered_captions_parse_back_to_their_scenes():
    rng = np.random.default_rng(1)
    for _ in range(100):
        scene = shapes.random_scene(rng)
        parsed = shapes.parse_caption(scene.caption)
        assert [(s.shape, s.colour, s.position) for s in parsed.shapes] == [
            (s.shape, s.colour, s.position) for s in scene.shapes
        ]
    with pytest.raises(ValueError, match="cannot render 'a purple dog'"):
        shapes.parse_caption("a purple dog")


def test_the_attribute_judge_reads_rendered_scenes():
    from core.diffusion import attributes

    judge = attributes.load()
    images, scenes = shapes.batch(np.random.default_rng(123), 200, two_shape_rate=0.5)
    predicted = attributes.read_places(judge, images)
    accuracy = np.mean([p == attributes.labels(s) for p, s in zip(predicted, scenes, strict=True)])
    assert accuracy >= 0.97
    sizes = [
        got == want
        for found, s in zip(attributes.read_sizes(judge, images), scenes, strict=True)
        for got, want in zip(found, attributes.size_labels(s), strict=True)
        if want != attributes.NO_SIZE
    ]
    assert np.mean(sizes) >= 0.95  # small vs large, wherever a shape is


def test_every_scheduler_is_built_from_the_training_config():
    base = training_scheduler()
    for name in SCHEDULERS:
        scheduler = make_scheduler(name, base)
        set_timesteps(scheduler, 10)
        first = int(round(float(scheduler.timesteps[0])))
        assert first == 900, name  # "leading" spacing: one stride below T, where x_0 is recoverable
        assert np.allclose(scheduler.alphas_cumprod.numpy(), base.alphas_cumprod.numpy()), name


class OracleDenoiser:
    """The exact noise predictor for a data set of one image c: eps = (x_t - sqrt(abar_t) c) / sqrt(1 - abar_t).
    Every correct sampler must land on c."""

    def __init__(self, clean: torch.Tensor, alpha_bars: torch.Tensor):
        self.clean, self.alpha_bars = clean, alpha_bars

    def __call__(self, x_t, t, encoder_hidden_states=None):
        abar = self.alpha_bars[int(round(float(t)))]
        eps = (x_t - abar.sqrt() * self.clean) / (1 - abar).sqrt()
        return type("UNetOutput", (), {"sample": eps})


@pytest.mark.parametrize("name", list(SCHEDULERS))
def test_every_scheduler_reaches_the_data_at_the_sliders_maximum_steps(name):
    """At the Steps slider's maximum each solver walks from near T down to 0, one distinct timestep per step."""
    scheduler = make_scheduler(name, training_scheduler())
    clean = torch.linspace(-0.8, 0.8, 2 * 3 * 4 * 4).reshape(2, 3, 4, 4)  # (N, C, H, W), inside [-1, 1]
    unet = OracleDenoiser(clean, scheduler.alphas_cumprod)
    noise = torch.randn(clean.shape, generator=torch.Generator().manual_seed(0))
    steps = list(denoise(unet, scheduler, None, None, noise, MAX_STEPS, 1.0, torch.Generator().manual_seed(1)))
    timesteps = [s.timestep for s in steps]
    assert len(steps) == MAX_STEPS and steps[-1].steps == MAX_STEPS
    assert timesteps[0] == 1000 - 1000 // MAX_STEPS and timesteps[-1] == 0
    assert all(a > b for a, b in zip(timesteps, timesteps[1:], strict=False))
    torch.testing.assert_close(steps[-1].sample, clean, atol=2e-3, rtol=0)


def _tiny_stable_diffusion(folder):
    """A random-weight StableDiffusionPipeline with the real classes, small enough for a CPU test."""
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    torch.manual_seed(0)
    words = ["a", "red", "circle", "on", "the", "left", "cat"]
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1, "!": 2}
    for w in words:
        vocab[w] = len(vocab)
        vocab[w + "</w>"] = len(vocab)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n")
    tokenizer = CLIPTokenizer(str(folder / "vocab.json"), str(folder / "merges.txt"), model_max_length=16)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
            max_position_embeddings=16, bos_token_id=0, eos_token_id=1, pad_token_id=1,
        )
    )  # fmt: skip
    unet = UNet2DConditionModel(
        sample_size=8, in_channels=4, out_channels=4, block_out_channels=(8, 16), layers_per_block=1,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"), up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        cross_attention_dim=16, attention_head_dim=2, norm_num_groups=4,
    )  # fmt: skip
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, block_out_channels=(8, 16), latent_channels=4, norm_num_groups=4,
        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2, sample_size=16,
    )  # fmt: skip
    # as Stable Diffusion 1.5 ships it (steps_offset 1)
    scheduler = EulerDiscreteScheduler(
        beta_schedule="scaled_linear", beta_start=0.00085, beta_end=0.012, steps_offset=1
    )
    pipe = StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )  # fmt: skip
    pipe.save_pretrained(folder / "tiny-sd")
    return folder / "tiny-sd"


@pytest.fixture(scope="module")
def tiny_sd(tmp_path_factory, one_torch_thread):
    """The random-weight Stable Diffusion pipeline, loaded through the registry like a hub model."""
    return get_model(NAME, str(_tiny_stable_diffusion(tmp_path_factory.mktemp("sd"))))


@pytest.mark.parametrize("scheduler", ["Euler", "DPM-Solver++"])
def test_the_demo_loop_and_diffusers_own_pipeline_call_draw_the_same_images(tiny_sd, scheduler):
    """The loop written out here (text states, guidance, scheduler steps, VAE decoding) against diffusers'
    `StableDiffusionPipeline.__call__` from the same x_T: two implementations of one reverse process."""
    from core.runtime.seeding import make_generator, randn

    request = check_request(tiny_sd, "a red circle on the left", 5, 4, 4.0, scheduler, 2)
    by_demo = final(tiny_sd, request).images
    pipe, own = tiny_sd.pipe, tiny_sd.pipe.scheduler
    pipe.scheduler = make_scheduler(scheduler, own)
    try:
        out = pipe(
            prompt=request.prompt, num_inference_steps=4, guidance_scale=4.0, num_images_per_prompt=2,
            latents=randn(tiny_sd.noise_shape(2, 16), 5, tiny_sd.device), output_type="np",
            generator=make_generator(5),
        )  # fmt: skip
    finally:
        pipe.scheduler = own
    by_diffusers = (np.asarray(out.images) * 255).round().astype(int)  # (2, 16, 16, 3)
    assert by_demo.shape == by_diffusers.shape == (2, 16, 16, 3)
    assert np.abs(by_diffusers - by_demo.astype(int)).max() <= 1  # float rounding only


def test_a_stable_diffusion_pipeline_streams_and_follows_its_seed_and_guidance(tiny_sd):
    assert tiny_sd.latent and tiny_sd.streams and tiny_sd.size == 16  # 8x8 latents, VAE scale factor 2
    request = check_request(tiny_sd, "a red circle on the left", 5, 3, 4.0, "DPM-Solver++", 2)
    outputs = list(generate(tiny_sd, request))
    result = outputs[-1]
    assert result.images.shape == (2, 16, 16, 3) and result.seed == 5
    np.testing.assert_array_equal(final(tiny_sd, request).images, result.images)
    prompt = "a red circle on the left"
    for seed, guidance in ((6, 4.0), (5, 1.0)):  # other noise; no guidance (the caption's states alone)
        other = final(tiny_sd, check_request(tiny_sd, prompt, seed, 3, guidance, "DPM-Solver++", 2)).images
        assert not np.array_equal(other, result.images), (seed, guidance)
    keep = np.ones((16, 16), dtype=bool)
    keep[:, 8:] = False
    filled = inpaint(tiny_sd, check_request(tiny_sd, "a cat", 1, 3, 1.0, "Euler", 1), result.images[0], keep)
    assert filled.images.shape == (1, 16, 16, 3)


def test_the_inpainting_inputs_come_from_the_brush_or_a_named_region():
    from core.diffusion.display import PAINTED, editor_image, erase_mask

    brush = np.zeros((256, 256, 4), dtype=np.uint8)  # the editor's layer, 8x the model's 32 pixels
    brush[:64, :64, 3] = 255  # painted: the top-left 8x8 model pixels
    painted = erase_mask(PAINTED, [brush], 32)
    assert painted.sum() == 64 and painted[:8, :8].all()
    assert erase_mask("right half", [brush], 32)[:, 16:].all() and not erase_mask("right half", [], 32)[:, :16].any()
    with pytest.raises(ValueError, match="nothing painted"):
        erase_mask(PAINTED, [np.zeros((256, 256, 4), dtype=np.uint8)], 32)
    with pytest.raises(ValueError, match="no image to inpaint"):
        editor_image(None, 32)
    picture = np.full((256, 256, 4), 200, dtype=np.uint8)
    assert editor_image(picture, 32).shape == (32, 32, 3)


def test_a_batch_answers_each_request_on_its_own(bundled, tiny_sd):
    """Six requests arrive together: an empty prompt and a hub model this offline server lacks get their own
    errors, a request for another model runs on its own, and the valid ones draw what they draw alone."""
    red, green = "a small red circle on the left", "a large green square at the top"
    outcomes = generate_each(
        [
            (red, 0, 8, 3.0, "DDIM", "bundled"),
            ("", 1, 8, 3.0, "DDIM", "bundled"),
            ("a red circle on the left", 5, 3, 4.0, "DPM-Solver++", tiny_sd.source),
            (green, 3, 8, 3.0, "DDIM", "bundled"),
            (red, 2, 1, 0.0, "DDIM", "stabilityai/sd-turbo"),
            (green, 4, 6, 3.0, "DDPM", "bundled"),  # other steps and scheduler: a group of its own
        ]
    )
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]).startswith("prompt is empty")
    assert isinstance(outcomes[4], ModelUnavailable) and "'stabilityai/sd-turbo' is not downloaded" in str(outcomes[4])
    for i, model in ((0, bundled), (2, tiny_sd), (3, bundled), (5, bundled)):
        request, image = outcomes[i]
        alone = final(model, request).images[0]
        assert image.shape == alone.shape and np.abs(image.astype(int) - alone.astype(int)).max() <= 2
    # the first image of the golden DDIM run: seed 0 draws the same x_T whether one or two images are asked for
    np.testing.assert_allclose(outcomes[0][1][16, 0:16:2].astype(int), GOLDEN["DDIM"], atol=2, rtol=0)
    assert [outcomes[i][0].seed for i in (0, 2, 3, 5)] == [0, 5, 3, 4]


def test_the_speed_line_of_one_step_is_singular():
    from core.diffusion.few_steps import Side
    from core.diffusion.generate import Request, Result

    one = Request(prompt="a red circle", seed=0, steps=1, guidance=0.0, scheduler="LCM")
    line = Side("distilled", one, Result(images=np.zeros((1, 8, 8, 3), np.uint8), seed=0, seconds=0.05), 1).line()
    assert line == "**Distilled**: 1 step with LCM, 1 network evaluation per image, 50 ms"


def test_the_generate_tab_shows_tiled_previews_then_the_enlarged_images_and_the_labelled_timeline(bundled):
    from core.diffusion.live import Done, Frame, frames

    request = ask(bundled, steps=20, batch=2)
    *previews, done = frames(bundled, request)
    assert isinstance(done, Done) and previews and all(isinstance(p, Frame) for p in previews)
    first = previews[0]
    assert re.fullmatch(rf"step {first.step} of 20 \(t = \d+\)", first.status)
    assert first.x_t.shape == first.x0_pred.shape == (256, 514, 3)  # two 256-pixel images, a 2-pixel gutter
    assert [im.shape for im in done.gallery] == [(256, 256, 3)] * 2 and done.grid.shape == (256, 514, 3)
    assert [label for _, label in done.timeline][-1].startswith("t = ") and len(done.timeline) == 8
    assert done.status.startswith("20 steps in ") and done.status.endswith("with DDIM, seed 0.")
    np.testing.assert_array_equal(done.first, final(bundled, request).images[0])  # what the explorers start from


def test_the_forward_explorer_noises_the_chosen_image_to_t():
    from core.diffusion.choices import COSINE
    from core.diffusion.display import IMAGE_SOURCES
    from core.diffusion.explorer import explore

    clean = explore(IMAGE_SOURCES[0], "a red circle on the left", None, None, 0, COSINE, 0)
    assert clean.x_0.shape == clean.x_t.shape == (256, 256, 3)
    assert np.abs(clean.x_t.astype(int) - clean.x_0.astype(int)).max() <= 3  # t = 0 keeps the image
    assert clean.line.startswith("t = 0: sqrt(alpha-bar) = 1.000")
    last = explore(IMAGE_SOURCES[0], "a red circle on the left", None, None, 999, COSINE, 0)
    assert last.line.startswith("t = 999: sqrt(alpha-bar) = 0.0")
    with pytest.raises(ValueError, match="timestep t"):
        explore(IMAGE_SOURCES[0], "a red circle on the left", None, None, 1000, COSINE, 0)
    with pytest.raises(ValueError, match="no image generated yet"):
        explore(IMAGE_SOURCES[1], "a red circle on the left", None, None, 10, COSINE, 0)


def test_word_chips_and_model_menu_entries():
    from core.diffusion.choices import TURBO, distilled_steps, menu_source
    from core.diffusion.shapes import add_phrase

    assert add_phrase(None, ["red"]) == "red" and add_phrase("a  small ", ["red"]) == "a small red"
    assert menu_source("  ") == menu_source(None) == "bundled" and menu_source(f" {TURBO} ") == TURBO
    assert distilled_steps(TURBO) == 1 and distilled_steps("") == distilled_steps("bundled") == 4


def test_a_measurement_stops_at_the_time_limit_with_advice(monkeypatch):
    from core.diffusion.measurements import samples_per_prompt, within_time
    from core.runtime.limits import TIME_LIMIT_ENV, TooLong

    seen = []
    within_time(lambda done, total: seen.append((done, total)), "ask for less")(3, 60)
    assert seen == [(3, 60)]
    monkeypatch.setenv(TIME_LIMIT_ENV, "1e-9")
    late = within_time(seen.append, "ask for fewer samples per prompt")
    with pytest.raises(TooLong, match="ask for fewer samples per prompt"):
        late(4, 60)
    with pytest.raises(ValueError, match="samples per prompt"):
        samples_per_prompt(5)
