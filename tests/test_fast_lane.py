"""The fast lane: while others wait on a CPU server, the Generate tab's bundled original hands a request to its
distilled student, and only then; the status says so."""

import numpy as np
import pytest

from core.diffusion import generate
from core.diffusion.choices import BUNDLED, DISTILLED_NAME, LCM, NAME
from core.diffusion.fast_lane import busy_because, fast_lane, takes_fast_lane
from core.runtime import get_model


@pytest.fixture(scope="module")
def original():
    return get_model(NAME, BUNDLED)


def test_the_student_answers_only_when_allowed_busy_and_asked_for_the_bundled_original(original):
    student = get_model(DISTILLED_NAME, BUNDLED)
    assert takes_fast_lane(original, allowed=True, others_waiting=1)
    assert not takes_fast_lane(original, allowed=False, others_waiting=5)  # the visitor unticked the box
    assert not takes_fast_lane(original, allowed=True, others_waiting=0)  # nobody waits: the original answers
    assert not takes_fast_lane(student, allowed=True, others_waiting=5)  # already the student
    assert takes_fast_lane(original, allowed=True, others_waiting=0, other_visitors=3)  # a class is at work
    assert not takes_fast_lane(original, allowed=True, others_waiting=0, other_visitors=2)


def test_busy_says_why():
    assert busy_because(0, 0) == "" and busy_because(0, 2) == ""
    assert busy_because(2, 9) == "2 waiting in line"
    assert busy_because(0, 29) == "29 other visitors in the last minute"


def test_busy_request_goes_to_the_student_with_its_steps_and_a_note_that_says_so(original):
    request = generate.check_request(original, "a small red circle on the left", 7, 20, 3.0, "DPM-Solver++", 2)
    model, fast, note = fast_lane(original, request, True, 3)
    assert model.distilled and model.source == BUNDLED
    assert (fast.prompt, fast.seed, fast.guidance, fast.batch) == (request.prompt, 7, 3.0, 2)
    assert (fast.steps, fast.scheduler) == (4, LCM)
    assert (
        "busy (3 waiting in line)" in note and "in 4 steps" in note and "takes 20" in note and "Fast when busy" in note
    )
    same, unchanged, quiet = fast_lane(original, request, True, 0)
    assert same is original and unchanged is request and quiet == ""
    few = generate.check_request(original, "a small red circle on the left", 7, 2, 3.0, "DPM-Solver++", 2)
    assert fast_lane(original, few, True, 3)[1] is few  # 2 guided steps: 4 UNet calls, no more than the student's
    result = list(generate.generate(model, fast, preview=False))[-1]
    assert result.images.shape == (2, 32, 32, 3) and result.images.dtype == np.uint8
