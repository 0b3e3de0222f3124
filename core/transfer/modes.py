"""Adaptation modes: which layers of the CNN start from pre-trained weights and which ones learn.

"Fine-tuning ... is typically done by updating the weights of the model's last layer or layers while
leaving the rest of the model static" (course notes, Tuning LLMs). From scratch, every layer starts random.
"""

from dataclasses import dataclass
from typing import TYPE_CHECKING

from core.runtime.validate import shown
from core.transfer.choices import LAYERS

if TYPE_CHECKING:
    from torch import nn


@dataclass(frozen=True)
class Mode:
    key: str
    label: str
    pretrained: bool  # start from the source model's weights (the head is always new: new classes)
    trained_layers: int  # how many of LAYERS, counted from the top, learn

    @property
    def trainable(self) -> tuple[str, ...]:
        return LAYERS[len(LAYERS) - self.trained_layers :]


ADAPTATIONS = {  # mode key -> Mode, from scratch first
    m.key: m
    for m in (
        Mode("scratch", "From scratch", pretrained=False, trained_layers=len(LAYERS)),
        Mode("last_layer", "Last layer (linear probe)", pretrained=True, trained_layers=1),
        Mode("last_2", "Last 2 layers", pretrained=True, trained_layers=2),
        Mode("last_3", "Last 3 layers", pretrained=True, trained_layers=3),
        Mode("full", "Full fine-tuning", pretrained=True, trained_layers=len(LAYERS)),
    )
}
MODES = tuple(ADAPTATIONS)  # the mode keys, a menu's values


def get_mode(key: str) -> Mode:
    if key not in MODES:
        raise ValueError(f"unknown mode {shown(key)}: choose one of {', '.join(MODES)}")
    return ADAPTATIONS[key]


def apply_mode(model: "nn.Module", mode: Mode) -> None:
    """Freeze every layer the mode leaves static; the others keep `requires_grad=True`."""
    for name in LAYERS:
        getattr(model, name).requires_grad_(name in mode.trainable)


def count_trainable(model: "nn.Module") -> int:
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def trainable_count(key: str) -> int:
    """Trainable parameters of the target CNN under mode `key` (the same for any weights)."""
    from core.transfer.cnn import DigitCNN
    from core.transfer.data import TARGET_DIGITS

    model = DigitCNN(num_classes=len(TARGET_DIGITS))
    apply_mode(model, get_mode(key))
    return count_trainable(model)
