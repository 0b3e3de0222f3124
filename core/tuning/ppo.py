"""Feedback tuning with PPO (Schulman et al. 2017) against a reward model, with a KL penalty to the reference
model, as in InstructGPT (Ouyang et al. 2022) and Ziegler et al. 2019.

Written here because TRL 1.16 no longer has a PPO trainer: it moved to `trl.experimental.ppo` in 1.10 and was
removed in 1.16 (huggingface/trl#7020), leaving GRPO and RLOO, which use no value model. This loop follows the
removed trainer's algorithm, one batch per step:

1. Roll out: sample a reply to each prompt from the policy.
2. Score: r = reward model(prompt + reply); per-token reward -beta * (log pi(y_t) - log pi_ref(y_t)), plus r
   on the reply's last token.
3. Advantages by GAE (Schulman et al. 2016) from a value head on the policy's last hidden state; whitened.
4. Update: a few epochs of the clipped surrogate loss max(-A ratio, -A clip(ratio, 1-eps, 1+eps)) plus the
   clipped value loss, where ratio = pi(y_t) / pi_old(y_t).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import torch

from core.prompting.models import LanguageModel
from core.prompting.tasks import Problem
from core.runtime import check_seed
from core.runtime.limits import Deadline
from core.runtime.seeding import make_generator, reset_parameters
from core.runtime.validate import number, whole_number
from core.tuning.feedback import (
    FeedbackResult,
    Reward,
    StepLog,
    batch_of,
    kl_per_reply,
    masked_mean,
    rollouts,
    token_logprobs,
)
from core.tuning.policy import private_copy
from core.tuning.preferences import prompt_of
from core.tuning.sft import LEARNING_RATES

MAX_STEPS = 60
MAX_BATCH = 16


@dataclass
class PPOConfig:
    steps: int = 20
    batch_size: int = 8  # prompts (one reply each) per step
    learning_rate: float = 3e-4
    kl_coef: float = 0.1  # beta
    clip: float = 0.2  # epsilon, for the ratio and the value
    ppo_epochs: int = 2
    gamma: float = 1.0
    lam: float = 0.95
    vf_coef: float = 0.1
    max_new_tokens: int = 32
    temperature: float = 1.0


def check_ppo(config: PPOConfig) -> PPOConfig:
    """`config` with its steps, batch size, learning rate and KL coefficient checked (a ValueError names the one
    out of range) and made numbers."""
    return replace(
        config,
        steps=whole_number(config.steps, "steps", 1, MAX_STEPS),
        batch_size=whole_number(config.batch_size, "batch size", 1, MAX_BATCH),
        learning_rate=number(config.learning_rate, "learning rate", *LEARNING_RATES, hint="e.g. 0.00003"),
        kl_coef=number(config.kl_coef, "KL coefficient (beta)", 0, 10, hint="e.g. 0.1"),
    )


def whiten(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    mean = masked_mean(x, mask)
    var = masked_mean((x - mean) ** 2, mask)
    return (x - mean) * torch.rsqrt(var + 1e-8) * mask


def gae(rewards: torch.Tensor, values: torch.Tensor, mask: torch.Tensor, gamma: float, lam: float) -> torch.Tensor:
    """Generalised advantage estimates over the reply positions, (B, T - 1); zero elsewhere."""
    advantages = torch.zeros_like(rewards)
    running = torch.zeros(rewards.shape[0], device=rewards.device)
    for t in reversed(range(rewards.shape[1])):
        next_value = values[:, t + 1] * mask[:, t + 1] if t + 1 < rewards.shape[1] else torch.zeros_like(running)
        delta = rewards[:, t] + gamma * next_value - values[:, t]
        running = (delta + gamma * lam * running) * mask[:, t]
        advantages[:, t] = running
    return advantages


def ppo(
    start: LanguageModel,
    reward: Reward,
    problems: list[Problem],
    config: PPOConfig | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    deadline: Deadline | None = None,
) -> FeedbackResult:
    """Optimise a private copy of `start` against `reward(prompts, replies)`; `start` is the frozen reference.
    `deadline` is checked before every step."""
    config = check_ppo(config or PPOConfig())
    seed = check_seed(seed)
    policy = private_copy(start)
    model, ref = policy.model, start.model
    device = model.device
    value_head = torch.nn.Linear(model.config.get_text_config().hidden_size, 1)  # (hidden) -> (1)
    value_head = reset_parameters(value_head, make_generator(seed)).to(device)  # from the seed, not the global RNG
    optimiser = torch.optim.Adam([*model.parameters(), *value_head.parameters()], lr=config.learning_rate)
    log = StepLog()
    began = time.perf_counter()
    for step in range(config.steps):
        if deadline is not None:
            deadline.check()
        # 1. Roll out one reply per prompt of this step's batch.
        batch = [problems[(step * config.batch_size + i) % len(problems)] for i in range(config.batch_size)]
        model.eval()
        replies = rollouts(policy, batch, seed * 1000 + step * MAX_BATCH, config.max_new_tokens)
        texts = [r.texts[0] for r in replies]
        ids, attention, mask = batch_of(replies, device)
        maskf = mask.float()
        # 2. Score, and the per-token KL penalty against the reference.
        with torch.no_grad():
            scores = reward([prompt_of(p) for p in batch], texts).to(device)  # (B,)
            old_logp, old_hidden = token_logprobs(model, ids, attention, with_hidden=True)
            ref_logp, _ = token_logprobs(ref, ids, attention)
            old_values = value_head(old_hidden)[..., 0] * maskf
            rewards = -config.kl_coef * (old_logp - ref_logp) * maskf  # (B, T - 1)
            last = mask.long().cumsum(-1).argmax(-1)  # each reply's last position
            has_reply = mask.any(-1)
            rewards[has_reply, last[has_reply]] += scores[has_reply]
            # 3. Advantages and returns.
            advantages = gae(rewards, old_values, maskf, config.gamma, config.lam)
            returns = advantages + old_values
            advantages = whiten(advantages, maskf)
        # 4. A few epochs of the clipped surrogate on this batch.
        model.train()
        for _ in range(config.ppo_epochs):
            logp, hidden_states = token_logprobs(model, ids, attention, with_hidden=True)
            values = value_head(hidden_states)[..., 0]
            ratio = torch.exp(logp - old_logp)
            clipped_ratio = ratio.clamp(1 - config.clip, 1 + config.clip)
            policy_loss = masked_mean(torch.max(-advantages * ratio, -advantages * clipped_ratio), maskf)
            clipped_values = old_values + (values - old_values).clamp(-config.clip, config.clip)
            value_loss = 0.5 * masked_mean(torch.max((values - returns) ** 2, (clipped_values - returns) ** 2), maskf)
            optimiser.zero_grad()
            (policy_loss + config.vf_coef * value_loss).backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimiser.step()
        log.add(scores.cpu(), kl_per_reply(old_logp, ref_logp, maskf).cpu(), texts, batch)
        if progress is not None:
            progress(step + 1, config.steps)
    optimiser.zero_grad(set_to_none=True)  # the stored model keeps its weights, not the last step's gradients
    model.eval()
    return FeedbackResult(policy, log, time.perf_counter() - began, "ppo")
