"""Fine-tuning on the target domain: build the CNN a mode asks for, train its unfrozen layers on a few
labelled target examples, and report the target test accuracy after every epoch (a learning curve)."""

import time
from collections.abc import Iterator
from dataclasses import dataclass

import torch
from torch import nn

from core.runtime import gpu, make_generator, pick_device
from core.runtime.validate import number, whole_number
from core.transfer.choices import DEFAULT_EPOCHS, DEFAULT_LR, MAX_EPOCHS
from core.transfer.cnn import LAYERS, DigitCNN, fresh_cnn
from core.transfer.data import TARGET_DIGITS, check_shots, sample_shots, target_split
from core.transfer.models import pretrained_cnn
from core.transfer.modes import Mode, apply_mode, get_mode

MAX_LR = 1.0
BATCH_SIZE = 8


@dataclass(frozen=True)
class EpochResult:
    epoch: int  # 0 is the model before any target training
    accuracy: float  # on the fixed target test set, 0..1
    seconds: float  # training time so far (the test evaluations and the caller's pauses are left out)


def check_epochs(epochs: int) -> int:
    return whole_number(epochs, "epochs", 1, MAX_EPOCHS, hint="30 is plenty for these models")


def check_lr(lr: float) -> float:
    return number(lr, "learning rate", 0.0, MAX_LR, above_low=True, hint="e.g. 0.003")


def build_model(mode: Mode, source: str, generator: torch.Generator) -> DigitCNN:
    """A CNN for the target classes: random layers from `generator`, then the pre-trained layers below the
    head copied in when the mode starts from the source model, then frozen as the mode says."""
    source_model = pretrained_cnn(source) if mode.pretrained else None
    model = fresh_cnn(num_classes=len(TARGET_DIGITS), generator=generator).to(pick_device())
    if source_model is not None:
        for name in LAYERS[:-1]:  # the head is new: the target's classes are not the source's
            getattr(model, name).load_state_dict(getattr(source_model, name).state_dict())
    apply_mode(model, mode)
    return model


def make_optimizer(model: nn.Module, lr: float) -> torch.optim.Optimizer:
    """Adam over the trainable parameters only: frozen layers get no updates at all."""
    return torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=lr)


def train_epoch(
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    x: torch.Tensor,
    y: torch.Tensor,
    generator: torch.Generator,
    batch_size: int = BATCH_SIZE,
) -> None:
    """One pass over (x, y) in shuffled mini-batches, one optimiser step each."""
    for batch in torch.randperm(len(y), generator=generator).split(batch_size):
        loss = nn.functional.cross_entropy(model(x[batch]), y[batch])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()


@torch.no_grad()
def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    return (model(x).argmax(dim=1) == y).float().mean().item()


@gpu(duration=60)
def finetune(
    mode: str,
    shots: int,
    epochs: int = DEFAULT_EPOCHS,
    seed: int = 0,
    lr: float = DEFAULT_LR,
    source: str = "digits",
) -> Iterator[EpochResult]:
    """Train `mode` on `shots` target examples per class; yield the test accuracy after each epoch.

    The seed draws the labelled examples, the new layers' weights and the batch order, so two modes with
    the same seed see the same examples and start from the same head.
    """
    chosen = get_mode(mode)
    shots, epochs, lr = check_shots(shots), check_epochs(epochs), check_lr(lr)
    init_gen, data_gen = make_generator(seed), make_generator(seed)
    device = pick_device()
    pool, test = target_split()
    train = sample_shots(pool, shots, data_gen)
    x, y = train.x.to(device), train.y.to(device)  # (5 * shots, 1, 12, 12), (5 * shots,)
    test_x, test_y = test.x.to(device), test.y.to(device)

    model = build_model(chosen, source, init_gen)
    optimizer = make_optimizer(model, lr)
    seconds = 0.0
    yield EpochResult(0, accuracy(model, test_x, test_y), seconds)
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        train_epoch(model, optimizer, x, y, data_gen)
        seconds += time.perf_counter() - start
        yield EpochResult(epoch, accuracy(model, test_x, test_y), seconds)
