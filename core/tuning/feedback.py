"""What PPO and DPO share: rolling out replies, and measuring a policy the same way for both.

Each measurement samples one reply per prompt and records the reward model's mean score, the mean
KL(policy || reference) per reply, the share of right answers (the gold standard the reward stands in for)
and the mean reply length: the curves that show reward hacking (Gao et al. 2022) when the reward is flawed.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from core.prompting.models import LanguageModel
from core.prompting.tasks import Problem
from core.tuning.preferences import prompt_of
from core.tuning.rater import is_right
from core.tuning.sampling import Replies, sample_replies

Reward = Callable[[list[str], list[str]], torch.Tensor]  # (prompts, replies) -> scores, shape (N,)


@dataclass
class StepLog:
    reward: list[float] = field(default_factory=list)  # mean reward-model score of the step's replies
    kl: list[float] = field(default_factory=list)  # mean KL(policy || reference) per reply, in nats
    correct: list[float] = field(default_factory=list)  # share of right answers (the gold standard)
    length: list[float] = field(default_factory=list)  # mean reply length in characters

    def add(self, scores: torch.Tensor, kl: torch.Tensor, texts: list[str], problems: list[Problem]) -> None:
        self.reward.append(float(scores.mean()))
        self.kl.append(float(kl.mean()))
        self.correct.append(sum(is_right(t, p) for t, p in zip(texts, problems, strict=True)) / len(problems))
        self.length.append(sum(len(t) for t in texts) / len(texts))


@dataclass(frozen=True)
class FeedbackResult:
    lm: LanguageModel
    log: StepLog
    seconds: float  # training only, without the measurements taken for the plots
    method: str


def rollouts(policy: LanguageModel, problems: list[Problem], seed: int, max_new_tokens: int) -> list[Replies]:
    """One sampled reply per problem; reply i draws from seed + i."""
    return [sample_replies(policy, prompt_of(p), 1, seed + i, max_new_tokens) for i, p in enumerate(problems)]


def batch_of(replies: list[Replies], device: torch.device) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Prompt + reply token ids, each reply with the token that ended it (an action too), right-padded into one
    batch: ids (B, T), attention mask (B, T), and the reply mask (B, T - 1) marking the positions whose next token
    is a reply token or its stop token."""
    rows = [r.prompt_ids + r.token_ids[0] + [s for s in r.stop_ids[:1] if s is not None] for r in replies]
    width = max(len(row) for row in rows)
    ids = torch.zeros(len(rows), width, dtype=torch.long)
    attention = torch.zeros(len(rows), width, dtype=torch.long)
    reply = torch.zeros(len(rows), width - 1, dtype=torch.bool)
    for i, (row, r) in enumerate(zip(rows, replies, strict=True)):
        ids[i, : len(row)] = torch.tensor(row)
        attention[i, : len(row)] = 1
        reply[i, len(r.prompt_ids) - 1 : len(row) - 1] = True
    return ids.to(device), attention.to(device), reply.to(device)


def token_logprobs(model, ids: torch.Tensor, attention: torch.Tensor, with_hidden: bool = False):
    """log pi(token t+1 | tokens <= t) at every position, (B, T - 1); and the last hidden states, (B, T - 1, H)."""
    out = model(input_ids=ids, attention_mask=attention, output_hidden_states=with_hidden)
    logp = torch.log_softmax(out.logits[:, :-1].float(), -1).gather(-1, ids[:, 1:, None])[..., 0]
    return logp, (out.hidden_states[-1][:, :-1] if with_hidden else None)


def masked_mean(x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    return (x * mask).sum() / mask.sum().clamp(min=1)


def kl_per_reply(logp: torch.Tensor, ref_logp: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """sum_t (log pi - log pi_ref) over each reply: a sample estimate of KL(pi || pi_ref), shape (B,)."""
    return ((logp - ref_logp) * mask).sum(-1)


@torch.no_grad()
def measure(
    policy: LanguageModel, ref: LanguageModel, reward: Reward, problems: list[Problem], seed: int, max_new_tokens: int
) -> tuple[torch.Tensor, torch.Tensor, list[str]]:
    """Scores (B,), KL per reply (B,) and the texts of one sampled reply per problem."""
    replies = rollouts(policy, problems, seed, max_new_tokens)
    texts = [r.texts[0] for r in replies]
    ids, attention, mask = batch_of(replies, policy.model.device)
    logp, _ = token_logprobs(policy.model, ids, attention)
    ref_logp, _ = token_logprobs(ref.model, ids, attention)
    scores = reward([prompt_of(p) for p in problems], texts)
    return scores, kl_per_reply(logp, ref_logp, mask.float()).cpu(), texts


def rater_reward(rater: str, problems: list[Problem]) -> Reward:
    """A built-in rater as the reward itself, with no reward model between: the gold-standard reward of a prompt
    the rater knows the question of."""
    from core.tuning.rater import rate

    by_prompt = {prompt_of(p): p for p in problems}

    def reward(prompts: list[str], replies: list[str]) -> torch.Tensor:
        return torch.tensor([rate(rater, r, by_prompt[p]) for p, r in zip(prompts, replies, strict=True)])

    return reward
