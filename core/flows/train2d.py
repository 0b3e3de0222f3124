"""Live maximum-likelihood training of a 2-D flow: minimise -log p(x) over minibatches, report as it goes.

If the loss or a gradient turns NaN or infinite, training stops and the model of the last good step is kept.
"""

import copy
from collections.abc import Iterator
from dataclasses import dataclass

import torch
import zuko

from core.flows.choices import KINDS, MAX_LAYERS, MAX_STEPS
from core.flows.flow import FlowConfig, build_flow, log_prob
from core.runtime.registry import building
from core.runtime.seeding import make_generator, reset_parameters
from core.runtime.validate import choice, whole_number

BATCH = 256
REPORT_EVERY = 25  # steps between two `Progress` reports


@dataclass
class Progress:
    step: int  # optimisation steps taken so far
    steps: int  # steps asked for
    loss: float  # mean -log p(x) of the last batch, in nats
    flow: zuko.flows.Flow
    diverged: str = ""  # why training stopped early, or "" while all is well


def check_steps(steps, name: str = "steps") -> int:
    """`steps` as a whole number in 1..MAX_STEPS, or a ValueError that names the input and says what to send."""
    return whole_number(steps, name, 1, MAX_STEPS)


def flow_config(kind: str, layers: object) -> FlowConfig:
    """The 2-D flow a visitor asked for, or a ValueError naming the input to fix."""
    return FlowConfig(
        kind=choice(kind, "flow", KINDS), features=2, transforms=whole_number(layers, "coupling layers", 2, MAX_LAYERS)
    )


def redraw_due(progress: Progress, redraws: int, report_every: int = REPORT_EVERY) -> bool:
    """Whether a live page that redraws about `redraws` times per run redraws at this report: the first report on
    or after each multiple of steps // redraws (reports come every `report_every` steps), never at the last step,
    whose figure the page draws anyway."""
    every = max(progress.steps // redraws, 1)
    passed_a_multiple = progress.step // every > (progress.step - report_every) // every
    return passed_a_multiple and progress.step < progress.steps


def train(
    data: torch.Tensor, config: FlowConfig, steps: int, seed: int, lr: float = 5e-3, report_every: int = REPORT_EVERY
) -> Iterator[Progress]:
    """Train a fresh flow on `data` (N, 2); yields a `Progress` every `report_every` steps and at the end.

    Each report also marks the model as good: a NaN later rolls back to the last reported model.
    """
    steps = check_steps(steps)
    generator = make_generator(seed)
    with building():
        flow = reset_parameters(build_flow(config), make_generator(seed))
    optimizer = torch.optim.Adam(flow.parameters(), lr=lr)
    decay = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=steps)
    good_state, good_step = copy.deepcopy(flow.state_dict()), 0
    value = float("nan")
    for step in range(1, steps + 1):
        batch = data[torch.randint(0, len(data), (BATCH,), generator=generator)]  # (BATCH, 2)
        loss = -log_prob(flow, batch).mean()
        optimizer.zero_grad()
        loss.backward()
        grads_finite = all(torch.isfinite(p.grad).all() for p in flow.parameters() if p.grad is not None)
        if not (torch.isfinite(loss) and grads_finite):
            flow.load_state_dict(good_state)
            reason = (
                f"training stopped at step {step}: the loss became {loss.item()} (numerical blow-up). "
                f"The model from step {good_step} is kept; lower the learning rate or change the seed."
            )
            yield Progress(good_step, steps, value, flow.eval(), diverged=reason)
            return
        optimizer.step()
        decay.step()
        value = loss.item()
        if step % report_every == 0 or step == steps:
            good_state, good_step = copy.deepcopy(flow.state_dict()), step
            yield Progress(step, steps, value, flow)
    flow.eval()
