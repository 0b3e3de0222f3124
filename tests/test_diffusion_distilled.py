"""The few-step student: consistency distillation of the bundled text-to-image model (core.diffusion.distill),
sampled with diffusers' LCMScheduler, against the original on the same prompts and seeds."""

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from core.diffusion import models as _registered  # noqa: F401 - registers both text-to-image models
from core.diffusion.choices import BUNDLED, DISTILLED_DIR, DISTILLED_NAME, LCM, MODEL_DIR, NAME
from core.diffusion.few_steps import measure, non_inferiority, side_by_side, unet_calls
from core.diffusion.generate import check_request, final
from core.diffusion.sampling import guidance_embedding
from core.diffusion.schedulers import make_scheduler
from core.runtime import get_model
from core.stats import FAILS, HOLDS, UNCLEAR, paired_accuracy_difference

PROMPT = "a small red circle on the left"


@pytest.fixture(scope="module")
def student(one_torch_thread):
    return get_model(DISTILLED_NAME, BUNDLED)


@pytest.fixture(scope="module")
def teacher(one_torch_thread):
    return get_model(NAME, BUNDLED)


def test_the_student_ships_beside_its_teacher_with_its_recipe():
    meta = json.loads((DISTILLED_DIR / "training.json").read_text())
    assert meta["teacher"] == MODEL_DIR.name and meta["steps"] >= 100
    for file in DISTILLED_DIR.rglob("*.safetensors"):
        assert file.stat().st_size < 10 * 2**20, file
    config = json.loads((DISTILLED_DIR / "scheduler" / "scheduler_config.json").read_text())
    assert config["_class_name"] == "LCMScheduler" and config["prediction_type"] == "v_prediction"


def test_the_guidance_embedding_is_the_lcm_pipelines():
    """The student's w input is computed as diffusers' LatentConsistencyModelPipeline computes it, from w - 1."""
    from diffusers import LatentConsistencyModelPipeline

    guidance = torch.tensor([1.0, 2.5, 3.0, 8.0])
    expected = LatentConsistencyModelPipeline.get_guidance_scale_embedding(None, guidance - 1, embedding_dim=64)
    torch.testing.assert_close(guidance_embedding(guidance), expected)


# Golden values: PROMPT, seed 0, 4 LCM steps, guidance 3, 2 images; pixels 0, 2, ..., 14 of row 16 of the first
# image, (8, 3) uint8. Print `final(...).images[0, 16, 0:16:2]` anew after a new distillation run.
# fmt: off
GOLDEN = [[15, 12, 37], [46, 28, 45], [118, 15, 25], [225, 42, 33], [233, 43, 30], [216, 50, 36], [61, 32, 25], [16, 36, 28]]
# fmt: on


def test_a_seeded_student_draws_the_golden_image_in_four_steps(student):
    images = final(student, check_request(student, PROMPT, 0, 4, 3.0, LCM, 2)).images
    other_seed = final(student, check_request(student, PROMPT, 1, 4, 3.0, LCM, 2)).images
    assert images.shape == (2, 32, 32, 3) and images.dtype == np.uint8
    np.testing.assert_allclose(images[0, 16, 0:16:2].astype(int), GOLDEN, atol=2, rtol=0)
    assert np.abs(images.astype(int) - other_seed.astype(int)).mean() > 1.0


def test_the_demo_loop_is_multistep_consistency_sampling_written_from_the_paper(student):
    """Song et al. 2023, Algorithm 1, written out here: x_0 = f(x_t, t); then noise x_0 afresh to the next
    timestep, x = sqrt(abar) x_0 + sqrt(1 - abar) z, with f(x, t) = c_skip x + c_out x0(v) and x0 kept in
    [-1, 1]. The demo's loop runs diffusers' LCMScheduler; both draw the same images from the same noise."""
    from core.diffusion.pipeline import to_images
    from core.runtime.seeding import make_generator, randn

    steps, guidance, seed = 3, 3.0, 4
    by_demo = final(student, check_request(student, PROMPT, seed, steps, guidance, LCM, 2)).images
    pipe = student.pipe
    scheduler = make_scheduler(LCM, pipe.scheduler)
    scheduler.set_timesteps(steps)
    abar = scheduler.alphas_cumprod
    text, _ = student.text_states(PROMPT, 2, guided=False)
    w = guidance_embedding(torch.full((2,), guidance))
    x = randn(student.noise_shape(2, 32), seed, student.device)
    generator = make_generator(seed)
    with torch.inference_mode():
        for i, t in enumerate(scheduler.timesteps):
            v = pipe.unet(x, t, encoder_hidden_states=text, timestep_cond=w).sample
            x0 = abar[t].sqrt() * x - (1 - abar[t]).sqrt() * v
            x0 = x0.clamp(-1, 1)  # dynamic thresholding with sample_max_value 1 is this clamp
            c_skip, c_out = scheduler.get_scalings_for_boundary_condition_discrete(t)
            x0 = c_skip * x + c_out * x0
            if i + 1 < steps:
                nxt = scheduler.timesteps[i + 1]
                z = torch.randn(x0.shape, generator=generator)
                x = abar[nxt].sqrt() * x0 + (1 - abar[nxt]).sqrt() * z
            else:
                x = x0
    by_paper = to_images(x)
    assert np.abs(by_paper.astype(int) - by_demo.astype(int)).max() <= 1


def test_the_lcm_sampler_belongs_to_the_student_alone(teacher, student):
    with pytest.raises(ValueError, match="samples with LCM and only it does"):
        check_request(teacher, PROMPT, 0, 4, 3.0, LCM, 1)
    with pytest.raises(ValueError, match="samples with LCM and only it does"):
        check_request(student, PROMPT, 0, 4, 3.0, "DDIM", 1)
    with pytest.raises(ValueError, match="steps of the distilled model must be a whole number from 1 to 50"):
        check_request(student, PROMPT, 0, 60, 3.0, LCM, 1)
    with pytest.raises(ValueError, match="LCM sampler belongs to a consistency-distilled model"):
        make_scheduler("DDIM", student.pipe.scheduler)


def test_side_by_side_counts_the_network_evaluations(teacher, student):
    slow, fast = side_by_side(
        teacher, check_request(teacher, PROMPT, 3, 6, 3.0, "DPM-Solver++", 1),
        student, check_request(student, PROMPT, 3, 2, 3.0, LCM, 1),
    )  # fmt: skip
    assert (slow.unet_calls, fast.unet_calls) == (12, 2)  # guided: two per step; the student reads w: one
    assert slow.result.images.shape == fast.result.images.shape == (1, 32, 32, 3)
    assert slow.result.seconds > 0 and fast.result.seconds > 0
    unguided = check_request(teacher, PROMPT, 3, 6, 1.0, "DPM-Solver++", 1)
    assert unet_calls(teacher, unguided) == 6


@pytest.mark.parametrize(
    ("original", "distilled", "verdict"),
    [
        ([True] * 300, [True] * 300, HOLDS),  # equal and n large: the interval sits inside +-5 points
        ([True] * 60, [True] * 30 + [False] * 30, FAILS),  # 50 points worse
        ([True] * 40 + [False] * 20, [True] * 36 + [False] * 24, UNCLEAR),  # a few points worse, n small
    ],
)
def test_within_five_points_is_a_non_inferiority_claim(original, distilled, verdict):
    gap = non_inferiority(paired_accuracy_difference(original, distilled))
    assert gap.verdict == verdict and gap.null == -0.05 and gap.p_value is None


@pytest.mark.slow
def test_the_student_stays_close_to_its_teacher_on_single_shape_prompts(teacher, student):
    """Every 5th single-shape prompt, 2 seeds (n = 24 paired samples), judged by the attribute classifier. The
    README's figures come from all 60 prompts x 4 seeds (`python -m core.diffusion.evaluate --distilled`)."""
    from core.diffusion import attributes

    result = measure(
        teacher, student, attributes.load(),
        check_request(teacher, PROMPT, 0, 20, 3.0, "DPM-Solver++", 1), check_request(student, PROMPT, 0, 4, 3.0, LCM, 1),
        seeds_per_prompt=2, every=5,
    )  # fmt: skip
    assert result.original.samples == result.distilled.samples == result.gap.n == 24
    assert result.distilled.rate("all_three") >= result.original.rate("all_three") - 0.25
    assert result.distilled.rate("colour") >= 0.9
    assert [row[0] for row in result.rows()] == ["original", "distilled"]


@pytest.fixture(scope="module")
def tiny_pair(tmp_path_factory, one_torch_thread):
    """The GPU path at toy scale: a random Stable Diffusion pipeline and a random LatentConsistencyModelPipeline
    (an LCM: its UNet reads the guidance embedding), saved and loaded through the registry like hub models."""
    from diffusers import LatentConsistencyModelPipeline, LCMScheduler, StableDiffusionPipeline, UNet2DConditionModel

    from tests.test_diffusion_core import _tiny_stable_diffusion

    folder = _tiny_stable_diffusion(tmp_path_factory.mktemp("sd"))
    sd = StableDiffusionPipeline.from_pretrained(folder)
    torch.manual_seed(0)  # the random LCM UNet's weights, built once for the module
    lcm = LatentConsistencyModelPipeline(
        vae=sd.vae, text_encoder=sd.text_encoder, tokenizer=sd.tokenizer,
        unet=UNet2DConditionModel.from_config(sd.unet.config, time_cond_proj_dim=8),
        scheduler=LCMScheduler.from_config(sd.scheduler.config), safety_checker=None, feature_extractor=None,
        requires_safety_checker=False,
    )  # fmt: skip
    lcm.save_pretrained(folder.parent / "tiny-lcm")
    return get_model(NAME, str(folder)), get_model(DISTILLED_NAME, str(folder.parent / "tiny-lcm"))


def test_a_hub_style_lcm_runs_beside_a_stable_diffusion_model(tiny_pair):
    original, lcm = tiny_pair
    assert lcm.distilled and not lcm.streams and lcm.name == DISTILLED_NAME  # its pipeline's own LCM sampler
    prompt = "a red circle on the left"
    slow, fast = side_by_side(
        original, check_request(original, prompt, 2, 4, 4.0, "Euler", 1),
        lcm, check_request(lcm, prompt, 2, 2, 8.0, LCM, 1),
    )  # fmt: skip
    assert (slow.unet_calls, fast.unet_calls) == (8, 2)
    assert slow.result.images.shape == fast.result.images.shape == (1, 16, 16, 3)
    again = final(lcm, check_request(lcm, prompt, 2, 2, 8.0, LCM, 1)).images
    other = final(lcm, check_request(lcm, prompt, 3, 2, 8.0, LCM, 1)).images
    np.testing.assert_array_equal(again, fast.result.images)  # the seed fixes the image
    assert not np.array_equal(other, again)
    with pytest.raises(ValueError, match="fidelity is measured for the bundled models only"):
        measure(original, lcm, None, slow.request, fast.request)


def test_the_student_starts_as_its_teacher_plus_a_guidance_input(teacher):
    from core.diffusion.distill import student_unet

    student = student_unet(teacher.pipe.unet)
    own, taught = student.state_dict(), teacher.pipe.unet.state_dict()
    new = sorted(set(own) - set(taught))
    assert new and all("cond_proj" in key for key in new)  # the w embedding's projection, the only new weights
    assert all(torch.equal(own[key], value) for key, value in taught.items())


def test_a_short_distillation_saves_a_student_the_registry_loads(tmp_path, one_torch_thread):
    from core.diffusion.distill import TRAINING, distill
    from core.diffusion.models import load_distilled

    meta = distill(tmp_path / "student", training=replace(TRAINING, steps=2, batch_size=2), save_every=2)
    assert meta["steps"] == 2 and meta["teacher"] == MODEL_DIR.name and len(meta["loss_every_100"]) == 1
    student = load_distilled(str(tmp_path / "student"))
    assert student.distilled and student.name == DISTILLED_NAME and student.source == str(tmp_path / "student")
    images = final(student, check_request(student, PROMPT, 0, 2, 3.0, LCM, 1)).images
    assert images.shape == (1, 32, 32, 3)
