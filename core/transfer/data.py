"""The data of the image lab: scikit-learn's 8x8 digits, each written somewhere on a 12x12 card, split into
a source domain (digits 0-4) and a target domain (digits 5-9); an unrelated source (random textures with
random labels); and the drawings a student makes on the sketchpad, brought to the same format.

Centred 8x8 digits are too easy to show anything (logistic regression on raw pixels gets about 90% from five
examples per class); on the card a model must find strokes wherever they are, which the source can teach.
"""

from dataclasses import dataclass
from functools import cache

import numpy as np
import torch
from PIL import Image, ImageFilter
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from core import pictures
from core.runtime.validate import whole_number
from core.transfer.choices import MAX_SHOTS

SOURCE_DIGITS = (0, 1, 2, 3, 4)
TARGET_DIGITS = (5, 6, 7, 8, 9)
DIGIT = 8  # scikit-learn digits are 8x8
CANVAS = 12  # the card a digit is written on
TARGET_TEST_FRACTION = 0.4
TARGET_PLACEMENT_SEED = 1
UNRELATED_IMAGES = 1000
PIXEL_MAX = 16.0  # scikit-learn digits count "on" pixels of 4x4 blocks of a 32x32 bitmap: 0..16


@dataclass(frozen=True)
class Split:
    x: torch.Tensor  # (N, 1, CANVAS, CANVAS), float32 in [0, 1]
    y: torch.Tensor  # (N,), int64 class index 0..C-1


def place(digits: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """(N, 8, 8) digits -> (N, 1, 12, 12) cards, each digit at a random position drawn from `generator`."""
    n = len(digits)
    corner = torch.randint(0, CANVAS - DIGIT + 1, (n, 2), generator=generator)  # (N, 2) top-left row, col
    rows = (corner[:, 0, None] + torch.arange(DIGIT))[:, :, None]  # (N, 8, 1)
    cols = (corner[:, 1, None] + torch.arange(DIGIT))[:, None, :]  # (N, 1, 8)
    cards = torch.zeros(n, CANVAS, CANVAS)
    cards[torch.arange(n)[:, None, None], rows, cols] = digits
    return cards.unsqueeze(1)


def centre(digit: torch.Tensor) -> torch.Tensor:
    """(8, 8) digit -> (1, 12, 12) card with the digit in the middle."""
    card = torch.zeros(1, CANVAS, CANVAS)
    start = (CANVAS - DIGIT) // 2
    card[0, start : start + DIGIT, start : start + DIGIT] = digit
    return card


@cache
def _digits() -> tuple[torch.Tensor, np.ndarray]:
    bunch = load_digits()
    return torch.from_numpy(bunch.images.astype(np.float32) / PIXEL_MAX), bunch.target  # (1797, 8, 8), (1797,)


def source_digits(generator: torch.Generator) -> Split:
    """Every digit 0-4, labelled 0..4, at fresh random positions: the domain the bundled CNN learned."""
    images, labels = _digits()
    keep = np.isin(labels, SOURCE_DIGITS)
    return Split(place(images[keep], generator), torch.from_numpy(labels[keep] - SOURCE_DIGITS[0]))


def unrelated_source(generator: torch.Generator) -> Split:
    """Random textures with random labels 0..4: a source task that teaches nothing about strokes.

    A model pre-trained on it can only memorise, so its features are a deliberately bad start.
    """
    x = torch.randint(0, int(PIXEL_MAX) + 1, (UNRELATED_IMAGES, 1, CANVAS, CANVAS), generator=generator)
    y = torch.randint(0, len(SOURCE_DIGITS), (UNRELATED_IMAGES,), generator=generator)
    return Split(x.float() / PIXEL_MAX, y)


@cache
def target_split() -> tuple[Split, Split]:
    """Digits 5-9 labelled 0..4, placed once, split into a pool to draw labelled shots from and a fixed test set."""
    images, labels = _digits()
    keep = np.flatnonzero(np.isin(labels, TARGET_DIGITS))
    cards = place(images[keep], torch.Generator().manual_seed(TARGET_PLACEMENT_SEED))
    y = torch.from_numpy(labels[keep] - TARGET_DIGITS[0])
    pool, test = train_test_split(
        np.arange(len(keep)), test_size=TARGET_TEST_FRACTION, stratify=y.numpy(), random_state=0
    )
    return Split(cards[pool], y[pool]), Split(cards[test], y[test])


def check_shots(shots: int) -> int:
    """`shots` as an int in 1..MAX_SHOTS, or a ValueError that says what to pick."""
    return whole_number(
        shots,
        "labelled examples per target class",
        1,
        MAX_SHOTS,
        hint="fine-tuning needs at least 1 example of each target class",
    )


def sample_shots(pool: Split, shots: int, generator: torch.Generator) -> Split:
    """`shots` examples of each class, drawn without replacement with `generator`."""
    shots = check_shots(shots)
    picks = []
    for label in pool.y.unique(sorted=True):
        idx = torch.nonzero(pool.y == label).squeeze(1)
        picks.append(idx[torch.randperm(len(idx), generator=generator)[:shots]])
    chosen = torch.cat(picks)
    return Split(x=pool.x[chosen], y=pool.y[chosen])


EMPTY_SKETCH = "the sketch is empty: draw your symbol in the box with the brush, then press the button again"


def sketch_to_digit(sketch: np.ndarray | None) -> torch.Tensor:
    """A sketchpad drawing (H, W, 3 or 4) as an (8, 8) digit in [0, 1], made the way scikit-learn's were:
    crop the ink, scale it into a 32x32 box, count the ink in each 4x4 block.
    """
    if sketch is None or np.asarray(sketch).size == 0:
        raise ValueError(EMPTY_SKETCH)
    rgba = np.asarray(sketch, dtype=np.float32) / 255.0
    if rgba.ndim == 2:
        rgba = np.repeat(rgba[..., None], 3, axis=2)
    alpha = rgba[..., 3] if rgba.shape[2] == 4 else np.ones(rgba.shape[:2], dtype=np.float32)
    ink = alpha * (1.0 - rgba[..., :3].mean(axis=2))  # (H, W): 1 where dark paint lies, 0 on a blank canvas
    rows, cols = np.nonzero(ink > 0.25)
    if len(rows) == 0:
        raise ValueError(EMPTY_SKETCH)
    ink = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
    side = max(ink.shape)
    square = np.zeros((side, side), dtype=np.float32)  # pad to a square so the shape keeps its aspect
    top, left = (side - ink.shape[0]) // 2, (side - ink.shape[1]) // 2
    square[top : top + ink.shape[0], left : left + ink.shape[1]] = ink
    small = Image.fromarray(square).resize((32, 32), Image.Resampling.BILINEAR)  # (32, 32)
    bitmap = np.asarray(small.filter(ImageFilter.MaxFilter(3))) > 0.3  # thicken thin brush strokes to a pen's width
    blocks = bitmap.reshape(DIGIT, 4, DIGIT, 4).sum(axis=(1, 3))  # (8, 8) counts in 0..16
    return torch.from_numpy(blocks.astype(np.float32) / PIXEL_MAX)


def card_image(card: torch.Tensor, scale: int = 8) -> np.ndarray:
    """A (1, H, W) card in [0, 1] as a (H*scale, W*scale) uint8 picture, ink dark on white, for display."""
    pixels = ((1.0 - card[0].clamp(0, 1)) * 255).to(torch.uint8).numpy()  # (H, W)
    return pictures.enlarge(pixels, scale)
