"""A reward model learned from preference pairs with TRL's `RewardTrainer` (Bradley-Terry).

The model is the base language model with a one-number head on its last token. Bradley-Terry says
P(chosen beats rejected) = sigmoid(r(chosen) - r(rejected)); training minimises -log of that probability
(InstructGPT, Ouyang et al. 2022, eq. 1).
"""

import time
from dataclasses import dataclass
from typing import Any

import torch

from core.prompting.models import LanguageModel
from core.runtime.limits import Deadline
from core.runtime.seeding import make_generator
from core.runtime.training import Training
from core.tuning.policy import TrainerLog, own_random_state
from core.tuning.preferences import Pair, preference_dataset
from core.tuning.sft import check_training, step_callbacks, train_quietly, trainer_args

MAX_STEPS = 300


@dataclass(frozen=True)
class RewardModel:
    tokenizer: Any
    model: Any  # AutoModelForSequenceClassification, num_labels=1
    log: TrainerLog
    seconds: float

    @torch.no_grad()
    def score(self, prompts: list[str], replies: list[str]) -> torch.Tensor:
        """r(prompt + reply) for each pair, shape (N,)."""
        texts = [p + r for p, r in zip(prompts, replies, strict=True)]
        batch = self.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        return self.model(**batch.to(self.model.device)).logits[:, 0].float().cpu()

    def accuracy(self, pairs: list[Pair]) -> float:
        """The share of pairs whose chosen reply scores above the rejected one (chance: 0.5)."""
        chosen = self.score([p.prompt for p in pairs], [p.chosen for p in pairs])
        rejected = self.score([p.prompt for p in pairs], [p.rejected for p in pairs])
        return float((chosen > rejected).float().mean())


def init_head(model, seed: int) -> None:
    """Redraw the fresh scalar head (hidden -> 1) from `seed` with the model's own initialiser scale, through a
    generator: a request never seeds the process-wide RNG other requests share."""
    head = model.score  # the sequence-classification head of GPT-2, Llama and Qwen models
    std = model.config.get_text_config().initializer_range
    with torch.no_grad():
        head.weight.normal_(0.0, std, generator=make_generator(seed))
        if head.bias is not None:
            head.bias.zero_()


def initial_reward_model(base: LanguageModel, seed: int):
    """`base`'s transformer as it is now under a fresh scalar head drawn from `seed`: the instruction-tuned weights
    when feedback tuning starts from that model (InstructGPT starts its reward model from the SFT model), not the
    checkpoint's on disk."""
    from transformers import AutoModelForSequenceClassification

    model = AutoModelForSequenceClassification.from_pretrained(base.source, num_labels=1)
    prefix = model.base_model_prefix  # "transformer" for GPT-2, "model" for Llama and Qwen
    getattr(model, prefix).load_state_dict(getattr(base.model, prefix).state_dict())
    init_head(model, seed)
    model.config.pad_token_id = base.tokenizer.pad_token_id
    return model.to(base.model.device)


def train_reward_model(
    base: LanguageModel,
    pairs: list[Pair],
    training: Training = Training(steps=60, batch_size=16, learning_rate=1e-3),
    deadline: Deadline | None = None,
) -> RewardModel:
    """A reward model initialised from `base` (its weights, a fresh scalar head drawn from `training.seed`) and fit
    to `pairs`, checking `deadline` before every step."""
    from trl import RewardConfig, RewardTrainer

    training = check_training(training, MAX_STEPS)
    data = preference_dataset(pairs)
    tokenizer = base.tokenizer
    model = initial_reward_model(base, training.seed)
    with own_random_state():  # the Trainer seeds the global RNGs; they are put back after
        args = trainer_args(RewardConfig, training, max_length=256)
        began = time.perf_counter()
        trainer = RewardTrainer(
            model=model,
            args=args,
            train_dataset=data,
            processing_class=tokenizer,
            callbacks=step_callbacks(deadline=deadline),
        )
        log = train_quietly(trainer)
    model.eval()
    return RewardModel(tokenizer, model, log, time.perf_counter() - began)
