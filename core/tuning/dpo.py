"""Direct preference optimisation (Rafailov et al. 2023) with TRL's `DPOTrainer`, on the same pairs as PPO.

DPO needs no reward model and no sampling while it trains: it raises log pi(chosen) - log pi(rejected) relative
to the reference model, with beta playing the part of PPO's KL coefficient. To draw the same curves as PPO,
a callback measures the policy after every step (reward-model score, KL, right answers) on the same prompts and
seeds; that time is left out of DPO's wall time.
"""

import time
from collections.abc import Callable
from dataclasses import replace

from core.prompting.generate import model_input
from core.prompting.models import LanguageModel
from core.prompting.tasks import Problem
from core.runtime.limits import Deadline
from core.runtime.training import Training
from core.tuning.feedback import FeedbackResult, Reward, StepLog, measure
from core.tuning.policy import own_random_state, private_copy
from core.tuning.preferences import Pair, preference_dataset
from core.tuning.sft import check_training, step_callbacks, train_quietly, trainer_args

MAX_STEPS = 60


def dpo(
    start: LanguageModel,
    pairs: list[Pair],
    reward: Reward,
    problems: list[Problem],
    training: Training = Training(steps=20, batch_size=8, learning_rate=3e-4),
    beta: float = 0.1,
    max_new_tokens: int = 32,
    progress: Callable[[int, int], None] | None = None,
    deadline: Deadline | None = None,
) -> FeedbackResult:
    """Tune a private copy of `start` on `pairs`; `start` is the reference. `reward` and `problems` only measure.
    `deadline` is checked before every step."""
    from transformers import TrainerCallback
    from trl import DPOConfig, DPOTrainer

    training = check_training(training, MAX_STEPS)
    data = preference_dataset([replace(p, prompt=model_input(start, p.prompt, chat=False)) for p in pairs])
    policy = private_copy(start)
    log = StepLog()
    measuring = [0.0]

    class Measure(TrainerCallback):
        def on_step_end(self, args, state, control, **kwargs):
            began = time.perf_counter()
            policy.model.eval()
            size = training.batch_size
            batch = [problems[(state.global_step * size + i) % len(problems)] for i in range(size)]
            seed = training.seed * 1000 + state.global_step
            scores, kl, texts = measure(policy, start, reward, batch, seed, max_new_tokens)
            log.add(scores, kl, texts, batch)
            policy.model.train()
            measuring[0] += time.perf_counter() - began
            if progress is not None:
                progress(state.global_step, state.max_steps)

    args = trainer_args(DPOConfig, training, beta=beta, max_length=256)
    began = time.perf_counter()
    with own_random_state():
        trainer = DPOTrainer(
            model=policy.model,
            ref_model=private_copy(start).model,  # TRL prepares its reference; the shared model stays untouched
            args=args,
            train_dataset=data,
            processing_class=start.tokenizer,
            callbacks=[Measure(), *step_callbacks(deadline=deadline)],
        )
        train_quietly(trainer)
    policy.model.eval()
    return FeedbackResult(policy, log, time.perf_counter() - began - measuring[0], "dpo")
