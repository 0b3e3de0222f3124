"""What the text-to-image page explains beside its measurements, with the figures they rest on. Plain text only:
the page builds before torch loads."""

INTRO = """# Text to image with diffusion
The **forward process** adds Gaussian noise step by step until the image is pure noise. A network (a UNet that
reads the caption through cross-attention) learns to **reverse each step**. **Generation** starts from random
noise x_T and denoises it into a new image, here while you watch: the current x_t, and the clean image the
network predicts from it. Classifier-free guidance w pushes the prediction away from the caption-free one."""

EXAMPLES = [  # [prompt, seed]; the last three show the weaknesses on purpose
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

COMPOSITION = """Does the model compose words it never saw together? Twelve colour-shape-place combinations (e.g.
*a red circle on the left*) were **left out of its training captions**, though every colour, shape and place was
in them. This draws every single-shape prompt, seen and held out, at the default settings (DPM-Solver++, 20 steps,
guidance 3), and a separate classifier trained on rendered images judges each picture. Brackets: 95% intervals.
Measured on the bundled model, the only one whose shapes the judge knows."""

FEW_STEPS = """Diffusion is slow because sampling calls the network once per step, and twice with guidance (with
and without the caption). **Distillation** trains a student to jump along the original model's path: a
*consistency model* (LCM, as in LCM-LoRA) maps any noisy point straight to the clean image, so 1-4 steps suffice,
and it reads the guidance scale as an input, one call per step. SD-Turbo (adversarial distillation) does the same
for Stable Diffusion. Same prompt (above), same seed, both timed on this machine."""

FEW_STEPS_FIDELITY = """What does the speed cost? Both models draw every single-shape prompt with the same seeds at the
settings above, and the attribute classifier judges each picture (bundled models only)."""

INPAINTING = """Erase part of an image and let the model fill it from the prompt above: at every step the kept pixels
are replaced by the original noised to that step (RePaint), so only the erased part is new."""

COMPOSITION_TIME = (
    "Samples per prompt (1: about 40 s on a free 2-core CPU; on one busy with other jobs it can pass the 180 s "
    "limit; more: a GPU)"
)
FEW_STEPS_TIME = (
    "Samples per prompt (1: about 45 s on a free 2-core CPU; on one busy with other jobs it can pass the 180 s "
    "limit; more: a GPU)"
)
