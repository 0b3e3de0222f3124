"""Teach the pre-trained CNN a class it never saw: keep its frozen features, grow the head by one output,
and train only the head on a handful of drawings, with a few source digits so the old classes stay."""

import time
from dataclasses import dataclass

import torch

from core.runtime import make_generator, pick_device
from core.runtime.registry import building
from core.transfer.choices import MIN_DRAWINGS, NEW_LABEL
from core.transfer.cnn import DigitCNN, init_layer
from core.transfer.data import SOURCE_DIGITS, centre, place, sample_shots, source_digits
from core.transfer.finetune import make_optimizer, train_epoch
from core.transfer.models import pretrained_cnn
from core.transfer.modes import ADAPTATIONS, apply_mode

MAX_DRAWINGS = 20
REPLAY_PER_CLASS = 5  # source digits kept in the training set, so the head does not forget them
TEACH_EPOCHS = 60
TEACH_LR = 1e-2


@dataclass(frozen=True)
class TaughtModel:
    model: DigitCNN  # its head has one output more than the source model's
    labels: tuple[str, ...]
    drawings: int
    seconds: float  # wall time of the fine-tuning

    @torch.no_grad()
    def classify(self, digit: torch.Tensor) -> dict[str, float]:
        """(8, 8) digit -> probability of each label, with the digit centred on the card."""
        card = centre(digit).unsqueeze(0).to(pick_device())  # (1, 1, 12, 12)
        probs = self.model(card).softmax(dim=1)[0].cpu()
        return {label: float(p) for label, p in zip(self.labels, probs, strict=True)}


def check_drawings(drawings: list[torch.Tensor]) -> None:
    if len(drawings) < MIN_DRAWINGS:
        raise ValueError(
            f"{len(drawings)} drawing(s) so far: draw {MIN_DRAWINGS - len(drawings)} more example(s) of your "
            f"symbol and add each one, then teach"
        )
    if len(drawings) > MAX_DRAWINGS:
        raise ValueError(f"{len(drawings)} drawings is more than needed: clear them and add at most {MAX_DRAWINGS}")


def teach(drawings: list[torch.Tensor], seed: int = 0) -> TaughtModel:
    """Fine-tune the last layer of the digits-0-4 CNN on `drawings` ((8, 8) digits) as a sixth class."""
    check_drawings(drawings)
    generator = make_generator(seed)
    device = pick_device()
    source = pretrained_cnn("digits")
    with building():
        model = DigitCNN(num_classes=len(SOURCE_DIGITS) + 1).to(device)
    model.load_state_dict({k: v for k, v in source.state_dict().items() if not k.startswith("head.")}, strict=False)
    init_layer(model.head, generator)
    with torch.no_grad():  # the old classes keep their trained rows; only the new row starts random
        model.head.weight[: len(SOURCE_DIGITS)] = source.head.weight
        model.head.bias[: len(SOURCE_DIGITS)] = source.head.bias
    apply_mode(model, ADAPTATIONS["last_layer"])

    symbol = torch.stack(drawings)  # (D, 8, 8)
    replay = sample_shots(source_digits(generator), REPLAY_PER_CLASS, generator)
    y = torch.cat([replay.y, torch.full((len(symbol),), len(SOURCE_DIGITS))]).to(device)
    optimizer = make_optimizer(model, TEACH_LR)
    start = time.perf_counter()
    for _ in range(TEACH_EPOCHS):
        x = torch.cat([replay.x, place(symbol, generator)]).to(device)  # the drawings at new places each epoch
        train_epoch(model, optimizer, x, y, generator)
    labels = tuple(str(d) for d in SOURCE_DIGITS) + (NEW_LABEL,)
    return TaughtModel(model.eval(), labels, len(symbol), time.perf_counter() - start)
