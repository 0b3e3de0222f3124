"""What the flows page reports: the drawing read as ink, a flow scored against a Gaussian, the race's panels as
each model is measured, sampled digits and the held-out bits/dim table."""

import json

import numpy as np
import pytest
import torch

from core.flows import DDPM_MODEL, FLOW_MODEL, compare, datasets2d, reports, train2d
from core.flows.flow import FlowConfig, build_flow
from core.runtime import get_model
from core.runtime.seeding import make_generator, reset_parameters
from core.stats import FAILS

pytestmark = pytest.mark.usefixtures("one_torch_thread")  # small networks: a second thread only contends


def panel_titles(figure) -> list[str]:
    return [a["text"] for a in json.loads(figure.to_json())["layout"]["annotations"]]


def test_the_drawing_is_read_as_its_dark_opaque_strokes():
    image = np.full((4, 4, 4), 255, np.uint8)  # white, opaque canvas (H, W, RGBA)
    image[1, :, :3] = 0  # a black stroke along row 1
    image[3] = 0  # black but transparent: erased
    assert datasets2d.ink_mask(image).tolist() == [[False] * 4, [True] * 4, [False] * 4, [False] * 4]
    assert datasets2d.ink_mask(image[..., :3])[3].tolist() == [True] * 4  # without alpha, black is ink
    assert datasets2d.ink_mask(None) is None


def test_an_untrained_flow_loses_to_the_gaussian_and_the_report_says_so():
    data, heldout = datasets2d.make(datasets2d.MOONS, 500, seed=0), datasets2d.make(datasets2d.MOONS, 300, seed=1)
    flow = reset_parameters(build_flow(FlowConfig(features=2, transforms=2)), make_generator(0))
    stopped = "training stopped at step 5: the loss became nan"
    shown = reports.trained(train2d.Progress(5, 5, 1.0, flow, diverged=stopped), data, heldout, seed=0)
    assert shown.message.startswith(f"**Warning:** {stopped}\n\n**Held-out log-likelihood** (1000 points")
    assert "point by point: -" in shown.message and f"p < 0.001: {FAILS} (mean gap" in shown.message
    assert (
        json.loads(shown.density.to_json())["layout"]["title"]["text"] == "Exact log p(x) of the trained flow (5 steps)"
    )
    assert panel_titles(shown.chain)[0] == "z ~ N(0, I)" and panel_titles(shown.chain)[-1] == "x"


def _row(model: str) -> compare.Row:
    sampled = compare.Sampled(samples=torch.zeros(100, 2), seconds=0.01, evaluations=6)
    return compare.Row(model, sampled, True, 1.0, -1.5, compare.Fit(covered=0.9, off_data=0.02))


def test_the_race_shows_a_waiting_panel_for_each_model_not_measured_yet():
    data = datasets2d.make(datasets2d.RINGS, 200, seed=0)
    start = reports.race_report(compare.Race("training the flow", 0.0), data, "rings")
    assert panel_titles(start.figure) == ["data", "flow: not measured yet", "DDPM: not measured yet"]
    assert start.table is None and start.claims is None and start.note == "*training the flow ...*"

    flow = _row("flow (RealNVP, 6 layers)")
    half = reports.race_report(compare.Race("training the DDPM", 0.5, (flow,), "NaN at step 9"), data, "rings")
    assert panel_titles(half.figure) == ["data", "flow (RealNVP, 6 layers)", "DDPM: not measured yet"]
    assert half.note == "**Warning:** NaN at step 9\n\n*training the DDPM ...*" and half.claims is None
    assert list(half.table["model"]) == ["flow (RealNVP, 6 layers)"]

    done = reports.race_report(compare.Race("done", 1.0, (flow, _row("DDPM (1000 steps)"))), data, "rings")
    assert panel_titles(done.figure)[2] == "DDPM (1000 steps)" and done.note == ""
    assert done.claims.startswith("**What the course says, checked on rings with these settings**")
    assert reports.SCORE_2D in done.table.columns and len(done.table) == 2


def test_sampled_digits_report_their_network_calls_and_the_temperature_note_for_the_ddpm_only():
    flow = reports.sampled_digits(get_model(FLOW_MODEL), 2, seed=0, temperature=0.8)
    assert flow.message.startswith("2 samples in ") and flow.message.endswith(", 8 network evaluations.")
    assert flow.picture.shape == (48, 534) and flow.picture.dtype == np.uint8  # 1 row of 10 cells, 6x enlarged
    ddpm = reports.sampled_digits(get_model(DDPM_MODEL), 1, seed=0)
    assert ddpm.message.endswith("1000 network evaluations. Temperature applies to the flow only.")
    with pytest.raises(ValueError, match="number of samples"):
        reports.sampled_digits(get_model(FLOW_MODEL), 0, seed=0)


def test_the_digit_table_holds_the_golden_bits_per_dimension():
    scores = reports.digit_scores()
    table = scores.table.set_index("model")
    assert table["held-out bits/dim (lower is better)"].to_dict() == {
        "flow (exact)": 2.103,
        "Gaussian (full covariance)": 2.449,
        "DDPM (upper bound)": 3.42,
    }
    assert table["noise: bits/dim"].to_dict() == {
        "flow (exact)": 31.78,
        "Gaussian (full covariance)": 31.56,
        "DDPM (upper bound)": 54.09,
    }
    assert panel_titles(scores.probes) == ["typical digit", "unusual digit", "noise"]
    assert scores.note.startswith("A model that knows nothing (uniform over 17 levels) scores 4.09 bits/dim.")
