"""Pre-training on a source domain: the command that rebuilds the bundled CNN weights.

    python -m core.transfer.pretrain                  # both sources
    python -m core.transfer.pretrain --source digits

The digits source draws new positions on the card every epoch, so the CNN sees each digit in many places.
"""

import argparse
import time

import torch

from core.runtime import make_generator
from core.transfer.cnn import DigitCNN, fresh_cnn
from core.transfer.data import SOURCE_DIGITS, Split, source_digits, unrelated_source
from core.transfer.finetune import accuracy, train_epoch
from core.transfer.models import PRETRAINED

SEED = 0
BATCH_SIZE = 32
LR = 1e-3
EPOCHS = 150


def pretrain(source: str, epochs: int, generator: torch.Generator) -> tuple[DigitCNN, float]:
    """Train a fresh CNN on the source task; return it with its accuracy on a fresh draw of the source."""
    fixed = unrelated_source(generator) if source == "unrelated" else None

    def draw() -> Split:
        return fixed if fixed is not None else source_digits(generator)

    model = fresh_cnn(num_classes=len(SOURCE_DIGITS), generator=generator)
    optimizer = torch.optim.Adam(model.parameters(), lr=LR)
    for _ in range(epochs):
        data = draw()
        train_epoch(model, optimizer, data.x, data.y, generator, BATCH_SIZE)
    model.eval()
    data = draw()
    return model, accuracy(model, data.x, data.y)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m core.transfer.pretrain", description=__doc__.splitlines()[0])
    parser.add_argument("--source", choices=sorted(PRETRAINED), action="append", help="default: every source")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # the CNN's layers are too small to split across threads
    for source in args.source or sorted(PRETRAINED):
        start = time.perf_counter()
        model, source_acc = pretrain(source, EPOCHS, make_generator(SEED))
        target = PRETRAINED[source].bundled
        model.save_pretrained(target)
        print(f"{source}: source accuracy {source_acc:.3f}, {time.perf_counter() - start:.1f} s -> {target}")


if __name__ == "__main__":
    main()
