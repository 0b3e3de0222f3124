"""The bundled digit models, found and loaded through the model registry.

`flows-digits-nsf` is a neural spline flow on logit-scaled digits; `flows-digits-ddpm` a DDPM on digits
scaled to [-1, 1]. Both are rebuilt by `python -m core.flows.train_digits`.
"""

from dataclasses import dataclass
from pathlib import Path

import torch
import zuko
from diffusers import DDPMScheduler

from core.flows import ddpm
from core.flows.choices import DDPM_MODEL, FLOW_MODEL
from core.flows.digits import LogitScaling, SignedScaling
from core.flows.flow import FlowConfig, load_flow
from core.runtime import ModelSpec, register

WEIGHTS = Path(__file__).resolve().parent / "weights"


@dataclass
class DigitFlow:
    flow: zuko.flows.Flow  # on y = scaling.forward(x)
    config: FlowConfig
    scaling: LogitScaling
    meta: dict  # training record: epochs, validation bits/dim, train_seconds


@dataclass
class DigitDDPM:
    model: ddpm.Denoiser  # on y = scaling.forward(x)
    scheduler: DDPMScheduler
    scaling: SignedScaling
    meta: dict  # training record: steps, train_seconds


def load_digit_flow(source: str) -> DigitFlow:
    flow, config, meta = load_flow(source)
    scaling = LogitScaling(
        alpha=meta.pop("alpha"), mean=torch.tensor(meta.pop("mean")), std=torch.tensor(meta.pop("std"))
    )
    return DigitFlow(flow=flow, config=config, scaling=scaling, meta=meta)


def load_digit_ddpm(source: str) -> DigitDDPM:
    model, scheduler, meta = ddpm.load(source)
    return DigitDDPM(model=model, scheduler=scheduler, scaling=SignedScaling(), meta=meta)


# A neural spline flow (4 coupling layers) and a DDPM (MLP denoiser, 1000 steps) on scikit-learn's 8x8 digits
register(ModelSpec(name=FLOW_MODEL, bundled=WEIGHTS / "digits-flow", load=load_digit_flow))
register(ModelSpec(name=DDPM_MODEL, bundled=WEIGHTS / "digits-ddpm", load=load_digit_ddpm))
