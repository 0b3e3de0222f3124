"""The forward-process explorer: the chosen clean image x_0 (a rendered caption, the last generated image or an
upload) noised to step t with q(x_t | x_0), shown enlarged beside the schedules' curves marked at t."""

from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from core.diffusion.charts import schedule_figure
from core.diffusion.choices import TIMESTEPS
from core.diffusion.display import chosen_image, enlarge
from core.diffusion.forward import noised
from core.runtime.seeding import check_seed
from core.runtime.validate import whole_number


@dataclass(frozen=True)
class ForwardView:
    x_0: np.ndarray  # (H, W, 3) uint8, enlarged
    x_t: np.ndarray  # (H, W, 3) uint8, enlarged
    schedules: go.Figure  # alpha-bar and log10 SNR of every schedule, a line at t
    line: str  # how much of the signal is left at t


def explore(
    kind: str, caption: str, upload: np.ndarray | None, last: np.ndarray | None, t: object, schedule: str, seed: object
) -> ForwardView:
    """x_0 from `kind` (one of `display.IMAGE_SOURCES`) noised to step `t` on `schedule` with the noise of `seed`."""
    t, seed = whole_number(t, "timestep t", 0, TIMESTEPS - 1), check_seed(seed)
    x_0 = chosen_image(kind, caption, upload, last, seed)
    x_t = noised(x_0, t, seed, schedule)
    return ForwardView(enlarge(x_0), enlarge(x_t.x_t), schedule_figure(t), x_t.line())
