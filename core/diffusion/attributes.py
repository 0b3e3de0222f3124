"""An attribute classifier that judges generated images: what shape of what colour sits in each place.

It is trained on rendered images only, never on generated ones, so it measures prompt fidelity from outside the
generator. For each of the five places (left, right, top, bottom, centre) it predicts "empty" or one of the
12 shape-colour pairs, and, with a second head, the size of what is there (small or large).

    python -m core.diffusion.attributes     # trains in about a minute, writes weights/attribute-classifier
"""

import argparse
import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn
from tqdm import tqdm

from core.diffusion import shapes
from core.diffusion.pipeline import from_images

WEIGHTS = Path(__file__).resolve().parent / "weights" / "attribute-classifier.safetensors"
PLACES = tuple(shapes.POSITIONS)  # left, right, top, bottom, centre
OBJECTS = ("empty",) + tuple(f"{c} {s}" for c in shapes.COLOURS for s in shapes.SHAPES)  # 13 classes per place
SIZES = tuple(shapes.SIZES)  # small, large
NO_SIZE = -100  # the size target of an empty place: cross_entropy's ignore_index


def size_labels(scene: shapes.Scene) -> list[int]:
    """The size index of every place: NO_SIZE where empty, else the index in SIZES."""
    found = [NO_SIZE] * len(PLACES)
    for s in scene.shapes:
        found[PLACES.index(s.position)] = SIZES.index(s.size)
    return found


def labels(scene: shapes.Scene) -> list[int]:
    """The class index of every place: 0 where empty, else 1 + the shape-colour pair found there."""
    found = [0] * len(PLACES)
    for s in scene.shapes:
        found[PLACES.index(s.position)] = OBJECTS.index(f"{s.colour} {s.shape}")
    return found


class AttributeClassifier(nn.Module):
    """A small CNN: (N, 3, 32, 32) in [-1, 1] -> logits (N, 5 places, 13 objects); `sizes` gives the size
    logits (N, 5 places, 2) from the same features."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 32, 16, 16)
            nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # (N, 64, 8, 8)
            nn.Conv2d(64, 64, 3, padding=1), nn.ReLU(),  # (N, 64, 8, 8)
        )  # fmt: skip
        self.head = nn.Linear(64 * 8 * 8, len(PLACES) * len(OBJECTS))
        self.size_head = nn.Linear(64 * 8 * 8, len(PLACES) * len(SIZES))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1)).view(-1, len(PLACES), len(OBJECTS))

    def sizes(self, x: torch.Tensor) -> torch.Tensor:
        return self.size_head(self.features(x).flatten(1)).view(-1, len(PLACES), len(SIZES))


def train(steps: int = 600, batch: int = 64, seed: int = 1) -> tuple[AttributeClassifier, float, float]:
    """Train on rendered scenes (half single shapes, half pairs); return the model, its held-out accuracy (all
    five places right) and its size accuracy on the occupied places."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    model = AttributeClassifier()
    optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
    for _ in tqdm(range(steps), desc="attribute classifier", unit="step"):
        images, scenes = shapes.batch(rng, batch, two_shape_rate=0.5)
        target = torch.tensor([labels(s) for s in scenes])  # (B, 5)
        size_target = torch.tensor([size_labels(s) for s in scenes])  # (B, 5), NO_SIZE where empty
        x = from_images(images)
        loss = nn.functional.cross_entropy(model(x).flatten(0, 1), target.flatten()) + nn.functional.cross_entropy(
            model.sizes(x).flatten(0, 1), size_target.flatten(), ignore_index=NO_SIZE
        )
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    images, scenes = shapes.batch(np.random.default_rng(seed + 1000), 1000, two_shape_rate=0.5)
    predicted = read_places(model, images)
    accuracy = float(np.mean([p == labels(s) for p, s in zip(predicted, scenes, strict=True)]))
    sized = [
        (got == want)
        for found, s in zip(read_sizes(model, images), scenes, strict=True)
        for got, want in zip(found, size_labels(s), strict=True)
        if want != NO_SIZE
    ]
    return model, accuracy, float(np.mean(sized))


@torch.no_grad()
def read_places(model: AttributeClassifier, images: np.ndarray) -> list[list[int]]:
    """The predicted object class of every place for (N, 32, 32, 3) uint8 images."""
    return model(from_images(images)).argmax(-1).tolist()


@torch.no_grad()
def read_sizes(model: AttributeClassifier, images: np.ndarray) -> list[list[int]]:
    """The predicted size index (into SIZES) of every place for (N, 32, 32, 3) uint8 images; read it only
    where read_places finds an object."""
    return model.sizes(from_images(images)).argmax(-1).tolist()


def load(path: Path = WEIGHTS) -> AttributeClassifier:
    model = AttributeClassifier()
    model.load_state_dict(load_file(path))
    return model.eval()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=WEIGHTS)
    args = parser.parse_args()
    model, accuracy, size_accuracy = train()
    metadata = {"held_out_accuracy": json.dumps(accuracy), "size_accuracy": json.dumps(size_accuracy)}
    save_file(model.state_dict(), args.out, metadata=metadata)
    print(
        f"held-out accuracy on rendered scenes (all five places right): {accuracy:.3f}, size of occupied places: "
        f"{size_accuracy:.3f}; weights in {args.out}"
    )


if __name__ == "__main__":
    main()
