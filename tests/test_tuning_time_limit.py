"""Every tuning run shares one server: each trainer (SFT, reward model, PPO, DPO) checks its deadline and its visitor
before every step, and so do the lab's steps around them, so a run stops with the time limit's message, or as soon
as its visitor has left, and leaves nothing half-made in the session store."""

import pytest

from core.runtime import limits
from core.runtime.limits import TIME_LIMIT_ENV, Cancelled, Deadline, TooLong, set_cancel_check
from core.runtime.training import Training
from core.tuning.feedback import rater_reward
from core.tuning.instructions import tuning_set
from core.tuning.policy import base_model
from core.tuning.ppo import PPOConfig
from core.tuning.preferences import Pair, feedback_problems
from core.tuning.sessions import STORE

PAIRS = [Pair("Q: A coin is heads up. Ann flips it. Is the coin still heads up?\nA:", " no", " The answer is yes.")] * 4


@pytest.fixture(scope="module")
def base(one_torch_thread):
    return base_model()


@pytest.fixture
def visitor_gone():
    """The server's cancel check says the visitor has closed the page."""
    before = limits._visitor_left
    set_cancel_check(lambda: True)
    yield
    set_cancel_check(before)


def run_sft(base, deadline, steps):
    from core.tuning.sft import instruction_tune

    data = tuning_set(["one_word:coin_flip"], 8, seed=0)
    instruction_tune(base, data, Training(steps=2, batch_size=4, learning_rate=1e-3),
                     progress=lambda s, _: steps.append(s), deadline=deadline)  # fmt: skip


def run_reward_model(base, deadline, steps):
    from core.tuning.reward_model import train_reward_model

    train_reward_model(base, PAIRS, Training(steps=2, batch_size=4, learning_rate=1e-3), deadline=deadline)


def run_ppo(base, deadline, steps):
    from core.tuning.ppo import ppo

    problems = feedback_problems(4, seed=0)
    config = PPOConfig(steps=2, batch_size=4, max_new_tokens=8)
    ppo(base, rater_reward("longer", problems), problems, config, progress=lambda s, _: steps.append(s),
        deadline=deadline)  # fmt: skip


def run_dpo(base, deadline, steps):
    from core.tuning.dpo import dpo

    problems = feedback_problems(4, seed=0)
    dpo(base, PAIRS, rater_reward("longer", problems), problems, Training(steps=2, batch_size=4, learning_rate=3e-4),
        max_new_tokens=8, progress=lambda s, _: steps.append(s), deadline=deadline)  # fmt: skip


TRAINERS = [run_sft, run_reward_model, run_ppo, run_dpo]


@pytest.mark.parametrize("run", TRAINERS)
def test_a_trainer_stops_before_its_first_step_once_its_time_is_up(base, run):
    steps = []
    with pytest.raises(TooLong, match="^this job ran past the server's time limit of 0 s: ask for fewer steps$"):
        run(base, Deadline("ask for fewer steps", seconds=0), steps)
    assert steps == []


@pytest.mark.parametrize("run", TRAINERS)
def test_a_trainer_stops_when_its_visitor_has_left(base, run, visitor_gone):
    steps = []
    with pytest.raises(Cancelled, match="the visitor left"):
        run(base, Deadline("ask for fewer steps", seconds=600), steps)
    assert steps == []


def test_a_trainer_with_time_left_runs_every_step(base):
    steps = []
    run_ppo(base, Deadline("ask for fewer steps", seconds=600), steps)
    assert steps == [1, 2]


def lab_runs():
    from core.tuning.lab import compare_methods, feedback_tuning, instruction_tuning

    return {
        "instruction tuning": (
            lambda key: instruction_tuning(key, ["one_word:coin_flip"], 8, 2, 1e-3, False, 0, 1),
            "ask for fewer steps or fewer test questions per task",
        ),
        "feedback tuning": (
            lambda key: feedback_tuning(key, "ppo", "correct_concise", 2, 0, 1e-4, 0.1, "base"),
            "ask for fewer steps",
        ),
        "comparison": (lambda key: compare_methods(2, 4, 0), "ask for fewer training steps or test questions"),
    }


@pytest.mark.parametrize("step", ["instruction tuning", "feedback tuning", "comparison"])
def test_a_lab_step_past_the_time_limit_says_so_and_keeps_nothing(base, step, monkeypatch):
    run, advice = lab_runs()[step]
    key = STORE.put(None, answers=("Q: x\nA:", ["a", "b"]))
    before = STORE.session(key, "step 2")
    monkeypatch.setenv(TIME_LIMIT_ENV, "0.000001")
    with pytest.raises(TooLong, match=f"^this job ran past the server's time limit of 1e-06 s: {advice}$"):
        run(key)
    assert STORE.session(key, "step 2") == before  # no model, no reward model, nothing half-made


@pytest.mark.parametrize("step", ["instruction tuning", "feedback tuning", "comparison"])
def test_a_lab_step_stops_when_its_visitor_has_left(base, step, visitor_gone):
    run, _ = lab_runs()[step]
    key = STORE.put(None, answers=("Q: x\nA:", ["a", "b"]))
    before = STORE.session(key, "step 2")
    with pytest.raises(Cancelled):
        run(key)
    assert STORE.session(key, "step 2") == before
