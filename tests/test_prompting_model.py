"""The bundled model has learned every trained task: with its best prompting strategy it beats
chance on held-out questions of trained lengths (chance = always giving the most common right answer)."""

import pytest
import torch

from core.prompting.evaluate import chance, evaluate, held_out_problems
from core.prompting.models import NAME
from core.prompting.prompts import STRATEGIES
from core.prompting.tasks.families import FAMILIES
from core.runtime import get_model

N = 40


@pytest.fixture(scope="module")
def lm():
    torch.set_num_threads(1)
    return get_model(NAME)


@pytest.mark.parametrize("task", list(FAMILIES))
def test_bundled_model_beats_chance_on_each_trained_task(lm, task):
    problems = held_out_problems(task, N, FAMILIES[task].train_lengths)
    accuracy = {s: evaluate(lm, problems, s, batch_size=N).accuracy for s in STRATEGIES}
    assert max(accuracy.values()) > chance(problems), accuracy
