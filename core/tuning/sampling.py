"""Several sampled replies to one prompt, seeded by a CPU `torch.Generator`, with the token ids PPO trains on.

The k replies of one prompt run as one batch of k copies of the prompt, so no padding is needed while sampling.
A reply ends at the end-of-text token or at its first newline (the base model's answers are one line). The token
that ended it is kept apart (`stop_ids`): it is no part of the reply's text, but it is an action the policy took,
so PPO trains on it (stopping early or late is how a policy makes its replies shorter or longer).
"""

from dataclasses import dataclass, field

import torch

from core.prompting.generate import model_input
from core.prompting.models import LanguageModel
from core.runtime import make_generator

MAX_REPLY_TOKENS = 64


@dataclass(frozen=True)
class Replies:
    prompt: str
    prompt_ids: list[int]
    token_ids: list[list[int]]  # each reply's tokens, without the stop token
    texts: list[str]
    stop_ids: list[int | None] = field(default_factory=list)  # the token that ended each reply; None: cut at the limit


def stops(lm: LanguageModel) -> tuple[set[int], set[int]]:
    """Token ids that end a reply without being part of it (end of text), and those that end it after a newline."""
    vocab = lm.tokenizer.get_vocab()
    newline = {i for tok, i in vocab.items() if "\n" in lm.tokenizer.convert_tokens_to_string([tok])}
    return {lm.tokenizer.eos_token_id}, newline


@torch.no_grad()
def sample_replies(
    lm: LanguageModel, prompt: str, k: int, seed: int, max_new_tokens: int = 40, temperature: float = 1.0
) -> Replies:
    """k replies to `prompt`, sampled at `temperature` (0: greedy), the same for the same seed on any device."""
    if not 1 <= max_new_tokens <= MAX_REPLY_TOKENS:
        raise ValueError(f"reply length must be from 1 to {MAX_REPLY_TOKENS} tokens, got {max_new_tokens}")
    prompt_ids = lm.tokenizer(model_input(lm, prompt, chat=False), add_special_tokens=False).input_ids
    end, newline = stops(lm)
    device = lm.model.device
    generator = make_generator(seed)
    sequence = torch.tensor([prompt_ids] * k, device=device)  # (k, T)
    done = torch.zeros(k, dtype=torch.bool)
    replies: list[list[int]] = [[] for _ in range(k)]
    stopped: list[int | None] = [None] * k
    cache = None
    for _ in range(max_new_tokens):
        step_input = sequence if cache is None else sequence[:, -1:]
        out = lm.model(
            step_input, attention_mask=torch.ones_like(sequence), cache=cache, use_cache=True, logits_to_keep=1
        )
        cache = out.cache
        logits = out.logits[:, -1].float().cpu()  # (k, vocab)
        if temperature == 0:
            chosen = logits.argmax(-1)
        else:
            chosen = torch.multinomial(torch.softmax(logits / temperature, -1), 1, generator=generator)[:, 0]
        for i, token in enumerate(chosen.tolist()):
            if done[i]:
                continue
            if token in end or token in newline:
                done[i] = True
                stopped[i] = token
            else:
                replies[i].append(token)
        if bool(done.all()):
            break
        sequence = torch.cat([sequence, chosen[:, None].to(device)], dim=1)
    texts = [lm.tokenizer.decode(ids) for ids in replies]
    return Replies(prompt, prompt_ids, replies, texts, stopped)
