"""Compositional generalisation: colour-shape-place combinations the text-to-image model never sees in training.

Each held-out combination is new only as a whole: its colour with its shape, its colour at its place and its
shape at its place all appear in training (one place is held out per colour-shape pair, and no colour-place or
shape-place pair twice). `core.diffusion.train` leaves every scene with a held-out shape out of its training
stream and records the list beside the weights; `core.diffusion.evaluate` reports their fidelity separately.
"""

import json
from pathlib import Path

import numpy as np

from core.diffusion import shapes

PLACES = tuple(shapes.POSITIONS)  # left, right, top, bottom, centre
HELD_OUT = tuple(
    (colour, shape, PLACES[(i + 2 * j) % len(PLACES)])
    for i, colour in enumerate(shapes.COLOURS)
    for j, shape in enumerate(shapes.SHAPES)
)  # 12 (colour, shape, place) triples of the 60


def combination(s: shapes.Shape) -> tuple[str, str, str]:
    return (s.colour, s.shape, s.position)


def contains_held_out(scene: shapes.Scene) -> bool:
    return any(combination(s) in HELD_OUT for s in scene.shapes)


def training_scene(rng: np.random.Generator, two_shape_rate: float = 0.3) -> shapes.Scene:
    """shapes.random_scene, drawn again until no shape in it is a held-out combination."""
    while contains_held_out(scene := shapes.random_scene(rng, two_shape_rate)):
        pass
    return scene


def training_batch(rng: np.random.Generator, n: int, two_shape_rate: float = 0.3) -> tuple[np.ndarray, list]:
    """n training scenes without held-out combinations and their images, (n, 32, 32, 3) uint8."""
    scenes = [training_scene(rng, two_shape_rate) for _ in range(n)]
    return np.stack([shapes.render(s, rng) for s in scenes]), scenes


def held_out_in_training(model_dir: Path) -> tuple[tuple[str, str, str], ...]:
    """The combinations a trained model's training.json says were left out of its training; () if none were."""
    path = Path(model_dir) / "training.json"
    meta = json.loads(path.read_text()) if path.exists() else {}
    return tuple(tuple(c) for c in meta.get("held_out", ()))
