"""Captioned shapes: a procedural, deterministic renderer of 32x32 RGB images and the captions that describe them.

It is the text-to-image training set at toy scale: every image shows one or two shapes, and its caption names
their shape, colour, size and position ("a small red circle on the left", "a blue square above a yellow triangle").
"""

import re
from dataclasses import dataclass

import numpy as np

from core.runtime.validate import shown, text

SIZE = 32  # image side, pixels
SHAPES = ("circle", "square", "triangle")
COLOURS = {"red": (220, 40, 40), "green": (40, 190, 60), "blue": (50, 90, 230), "yellow": (235, 215, 40)}
SIZES = {"small": 4.0, "large": 7.5}  # half-width of the shape, pixels
POSITIONS = {"left": (8, 16), "right": (24, 16), "top": (16, 8), "bottom": (16, 24), "centre": (16, 16)}  # (x, y)
POSITION_PHRASES = {
    "left": "on the left",
    "right": "on the right",
    "top": "at the top",
    "bottom": "at the bottom",
    "centre": "in the centre",
}
RELATIONS = {  # relation phrase -> positions of (first, second) shape
    "above": ("top", "bottom"),
    "below": ("bottom", "top"),
    "to the left of": ("left", "right"),
    "to the right of": ("right", "left"),
}
BACKGROUND = (24, 24, 32)
MAX_CAPTION_CHARS = 100  # the longest caption of the grammar has 63
SUPERSAMPLE = 4  # shapes are drawn at 4x resolution and averaged down, for smooth edges
JITTER = 1.5  # pixels of random offset around each position


@dataclass(frozen=True)
class Shape:
    shape: str
    colour: str
    size: str
    position: str


@dataclass(frozen=True)
class Scene:
    shapes: tuple[Shape, ...]  # one or two
    caption: str


def single_caption(s: Shape, with_size: bool = True) -> str:
    size = f"{s.size} " if with_size else ""
    return f"a {size}{s.colour} {s.shape} {POSITION_PHRASES[s.position]}"


def pair_caption(first: Shape, relation: str, second: Shape) -> str:
    return f"a {first.colour} {first.shape} {relation} a {second.colour} {second.shape}"


def random_scene(rng: np.random.Generator, two_shape_rate: float = 0.3) -> Scene:
    """One random scene: a single shape (size named in 80% of captions) or, at `two_shape_rate`, a related pair."""
    if rng.random() < two_shape_rate:
        relation = list(RELATIONS)[rng.integers(len(RELATIONS))]
        places = RELATIONS[relation]
        colours = rng.choice(list(COLOURS), size=2, replace=False)
        first, second = (
            Shape(str(rng.choice(SHAPES)), str(c), "small", p) for c, p in zip(colours, places, strict=True)
        )
        return Scene((first, second), pair_caption(first, relation, second))
    shape = Shape(
        str(rng.choice(SHAPES)),
        str(rng.choice(list(COLOURS))),
        str(rng.choice(list(SIZES))),
        str(rng.choice(list(POSITIONS))),
    )
    return Scene((shape,), single_caption(shape, with_size=rng.random() < 0.8))


def _mask(shape: str, cx: float, cy: float, r: float, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Boolean mask of one shape of half-width r centred at (cx, cy), on the supersampled grid xs, ys."""
    dx, dy = xs - cx, ys - cy
    if shape == "circle":
        return dx**2 + dy**2 <= r**2
    if shape == "square":
        return (np.abs(dx) <= r * 0.85) & (np.abs(dy) <= r * 0.85)
    # an upright triangle: base at y = cy + r, apex at y = cy - r
    height = (dy + r) / (2 * r)  # 0 at the apex, 1 at the base
    return (height >= 0) & (height <= 1) & (np.abs(dx) <= height * r)


def render(scene: Scene, rng: np.random.Generator) -> np.ndarray:
    """The scene as a (32, 32, 3) uint8 image; `rng` jitters positions and sizes by a pixel or two."""
    n = SIZE * SUPERSAMPLE
    coords = (np.arange(n) + 0.5) / SUPERSAMPLE  # pixel-centre coordinates, (n,)
    xs, ys = np.meshgrid(coords, coords)  # (n, n) each
    canvas = np.empty((n, n, 3), dtype=np.float32)
    canvas[:] = BACKGROUND
    for s in scene.shapes:
        cx, cy = np.array(POSITIONS[s.position], dtype=np.float32) + rng.uniform(-JITTER, JITTER, size=2)
        r = SIZES[s.size] * rng.uniform(0.9, 1.1)
        canvas[_mask(s.shape, cx, cy, r, xs, ys)] = COLOURS[s.colour]
    small = canvas.reshape(SIZE, SUPERSAMPLE, SIZE, SUPERSAMPLE, 3).mean(axis=(1, 3))  # (32, 32, 3)
    return small.round().astype(np.uint8)


def batch(rng: np.random.Generator, n: int, two_shape_rate: float = 0.3) -> tuple[np.ndarray, list[Scene]]:
    """n random scenes and their images, (n, 32, 32, 3) uint8."""
    scenes = [random_scene(rng, two_shape_rate) for _ in range(n)]
    return np.stack([render(s, rng) for s in scenes]), scenes


def vocabulary() -> list[str]:
    """Every word a caption can use, sorted."""
    words = {"a", *SHAPES, *COLOURS, *SIZES}
    for phrase in [*POSITION_PHRASES.values(), *RELATIONS]:
        words.update(phrase.split())
    return sorted(words)


def known_phrases() -> list[str]:
    """The words and phrases of the captions, grouped as a caption uses them: sizes, colours, shapes, places."""
    return [*SIZES, *COLOURS, *SHAPES, *POSITION_PHRASES.values(), *RELATIONS]


def add_phrase(prompt: str | None, chosen: list[str]) -> str:
    """`prompt` with a clicked word chip appended; `chosen` is the chip's row of `known_phrases`, [phrase]."""
    return " ".join([*(prompt or "").split(), chosen[0]])


def parse_caption(caption: str) -> Scene:
    """The scene a caption describes, for rendering it ("a small red circle on the left", "a blue square above
    a yellow triangle"); a ValueError with an example when the caption is not text or not in that grammar."""
    caption = text(caption, "the caption", max_chars=MAX_CAPTION_CHARS, example="a small red circle on the left")
    words = " ".join(caption.lower().replace("center", "centre").split())
    obj = rf"an? (?:(?P<size{{i}}>{'|'.join(SIZES)}) )?(?P<colour{{i}}>{'|'.join(COLOURS)}) (?P<shape{{i}}>{'|'.join(SHAPES)})"
    single = re.fullmatch(obj.format(i=0) + rf" (?P<place>{'|'.join(POSITION_PHRASES.values())})", words)
    if single:
        place = {v: k for k, v in POSITION_PHRASES.items()}[single["place"]]
        shape = Shape(single["shape0"], single["colour0"], single["size0"] or "large", place)
        return Scene((shape,), words)
    pair = re.fullmatch(obj.format(i=0) + rf" (?P<relation>{'|'.join(RELATIONS)}) " + obj.format(i=1), words)
    if pair:
        places = RELATIONS[pair["relation"]]
        first, second = (
            Shape(pair[f"shape{i}"], pair[f"colour{i}"], pair[f"size{i}"] or "small", places[i]) for i in (0, 1)
        )
        return Scene((first, second), words)
    raise ValueError(
        f"cannot render {shown(caption)}: write the caption as 'a [small|large] <colour> <shape> <place>' such as "
        "'a small red circle on the left', or two shapes such as 'a blue square above a yellow triangle'"
    )


def render_caption(caption: str, seed: int) -> np.ndarray:
    """The (32, 32, 3) uint8 picture a caption describes, its jitter drawn from `seed`."""
    return render(parse_caption(caption), np.random.default_rng(seed))
