"""The small CNN of the image lab, read bottom-up: two convolutions find strokes wherever they are on the
card, a dense layer combines them into features, and the head maps the features to classes. Its four
layers are what the adaptation modes freeze or train."""

import os

import torch
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

from core.runtime import pick_device
from core.runtime.registry import building
from core.transfer.choices import LAYERS
from core.transfer.data import CANVAS


class DigitCNN(nn.Module, PyTorchModelHubMixin):
    """(B, 1, 12, 12) card -> (B, num_classes) logits. The constructor arguments are saved as config.json."""

    def __init__(self, num_classes: int = 5, channels: tuple[int, int] = (16, 32), hidden: int = 64):
        super().__init__()
        c1, c2 = channels
        self.conv1 = nn.Conv2d(1, c1, kernel_size=3, padding=1)
        self.conv2 = nn.Conv2d(c1, c2, kernel_size=3, padding=1)
        self.fc = nn.Linear(c2 * (CANVAS // 4) ** 2, hidden)
        self.head = nn.Linear(hidden, num_classes)

    def features(self, x: torch.Tensor) -> torch.Tensor:
        h = nn.functional.max_pool2d(torch.relu(self.conv1(x)), 2)  # (B, c1, 6, 6)
        h = nn.functional.max_pool2d(torch.relu(self.conv2(h)), 2)  # (B, c2, 3, 3)
        return torch.relu(self.fc(h.flatten(1)))  # (B, hidden)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))  # (B, num_classes)

    @classmethod
    def _from_pretrained(cls, *, model_id: str, map_location: str = "cpu", strict: bool = False, **options):
        """A local folder loads as the mixin loads it, without the line it prints on standard output; a hub id goes
        to the mixin."""
        if not os.path.isdir(model_id):
            return super()._from_pretrained(model_id=model_id, map_location=map_location, strict=strict, **options)
        for name in ("revision", "cache_dir", "force_download", "local_files_only", "token"):
            options.pop(name, None)
        weights = os.path.join(model_id, "model.safetensors")
        return cls._load_as_safetensor(cls(**options), weights, map_location, strict)


def init_layer(layer: nn.Module, generator: torch.Generator) -> None:
    """PyTorch's default initialisation (uniform, +-1/sqrt(fan_in)), drawn from `generator`."""
    bound = 1.0 / layer.weight[0].numel() ** 0.5
    with torch.no_grad():
        layer.weight.uniform_(-bound, bound, generator=generator)
        layer.bias.uniform_(-bound, bound, generator=generator)


def fresh_cnn(num_classes: int, generator: torch.Generator) -> DigitCNN:
    """A randomly initialised CNN: every layer drawn from `generator`."""
    with building():
        model = DigitCNN(num_classes=num_classes)
    for name in LAYERS:
        init_layer(getattr(model, name), generator)
    return model


def load_cnn(source: str) -> DigitCNN:
    """The CNN saved at `source` (a local directory or a hub id), on this process's device, in eval mode."""
    return DigitCNN.from_pretrained(source).to(pick_device()).eval()
