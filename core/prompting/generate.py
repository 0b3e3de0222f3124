"""Seeded generation that keeps, for every new token, its probability and the top-5 alternatives.

Sampling follows the usual order: logits / temperature, then top-k, then top-p (nucleus, Holtzman
et al. 2020), then one draw from a CPU `torch.Generator`, so a seed gives the same text on any
device. Temperature 0 means greedy decoding. The probability shown for a token is the model's
softmax at the chosen temperature, before top-k and top-p cut the tail.
"""

from dataclasses import dataclass

import torch

from core.prompting.answers import NEXT_QUESTION
from core.prompting.models import LanguageModel
from core.prompting.tokenizer import describe
from core.runtime import check_seed, gpu, make_generator
from core.runtime.limits import check_text_fits

MAX_NEW_TOKENS = 1024
MAX_TEMPERATURE = 2.0
TOP_ALTERNATIVES = 5


@dataclass(frozen=True)
class Token:
    text: str
    prob: float
    alternatives: tuple[tuple[str, float], ...]  # the top-5 tokens at this step, with probabilities


@dataclass(frozen=True)
class Generation:
    prompt: str  # what the model saw (the chat template applied, where used)
    tokens: tuple[Token, ...]

    @property
    def text(self) -> str:
        return "".join(t.text for t in self.tokens)


def check_sampling(max_new_tokens, temperature, top_k, top_p, seed) -> tuple[int, float, int, float, int]:
    """The sampling parameters as numbers, or a ValueError that gives the allowed range."""
    try:
        max_new_tokens, temperature, top_k, top_p = int(max_new_tokens), float(temperature), int(top_k), float(top_p)
    except (TypeError, ValueError, OverflowError):
        raise ValueError("max_new_tokens, temperature, top_k and top_p must be finite numbers") from None
    if not 1 <= max_new_tokens <= MAX_NEW_TOKENS:
        raise ValueError(f"max_new_tokens must be from 1 to {MAX_NEW_TOKENS}, got {max_new_tokens}")
    if not 0 <= temperature <= MAX_TEMPERATURE:
        raise ValueError(f"temperature must be from 0 (greedy) to {MAX_TEMPERATURE}, got {temperature}")
    if top_k < 0:
        raise ValueError(f"top_k must be 0 (off) or a positive number of tokens, got {top_k}")
    if not 0 < top_p <= 1:
        raise ValueError(f"top_p must be above 0 and at most 1 (off), got {top_p}")
    return max_new_tokens, temperature, top_k, top_p, check_seed(seed)


def model_input(lm: LanguageModel, prompt: str, chat: bool) -> str:
    """The prompt as a user turn of the model's chat template, where asked for and the model has one; else the
    prompt after the model's `document_start`."""
    if chat and lm.has_chat_template:
        messages = [{"role": "user", "content": prompt}]
        return lm.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
    return lm.document_start + prompt


def encode(lm: LanguageModel, text: str, max_new_tokens: int) -> list[int]:
    """Token ids of `text`, or a ValueError for an empty prompt, unknown characters or too long a prompt."""
    opening = len(lm.document_start) if text.startswith(lm.document_start) else 0  # the model's own, not typed
    if not text[opening:].strip():
        raise ValueError("the prompt is empty: build one with 'Build prompt' or type a question such as 'Q: ...\\nA:'")
    check_text_fits(text, "the prompt", lm.tokenizer, lm.context, "shorten it (fewer examples)")
    encoded = lm.tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = encoded.input_ids
    unknown = [
        text[a:b]
        for i, (a, b) in zip(ids, encoded.offset_mapping, strict=True)
        if i == lm.tokenizer.unk_token_id and a >= opening
    ]
    if unknown:
        raise ValueError(
            f"the model's tokenizer cannot encode {describe(list(dict.fromkeys(unknown)))}: "
            "use plain ASCII letters, digits and punctuation"
        )
    if len(ids) + max_new_tokens > lm.context:
        raise ValueError(
            f"the prompt is {len(ids)} tokens and max_new_tokens is {max_new_tokens}, but the model's context "
            f"holds {lm.context} tokens: shorten the prompt (fewer examples) or lower max_new_tokens"
        )
    return ids


def next_token_probs(logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """softmax(logits / T); T = 0 (greedy) shows the plain softmax."""
    return torch.softmax(logits.float() / (temperature or 1.0), dim=-1)


def filtered(probs: torch.Tensor, top_k: int, top_p: float) -> torch.Tensor:
    """`probs` with all but the top-k tokens and the smallest set reaching mass top_p set to zero."""
    keep = torch.ones_like(probs, dtype=torch.bool)
    if top_k:
        keep &= probs >= torch.topk(probs, min(top_k, probs.numel())).values[-1]
    if top_p < 1:
        sorted_probs, order = torch.sort(probs, descending=True)
        before = torch.cumsum(sorted_probs, 0) - sorted_probs  # mass of the tokens ranked above each one
        keep &= torch.zeros_like(keep).scatter(0, order, before < top_p)
    kept = probs * keep
    return kept / kept.sum()


@gpu(duration=lambda lm, prompt, max_new_tokens=200, *rest, **options: 10 + max_new_tokens // 20)  # 20 tokens/s
@torch.inference_mode()
def generate(
    lm: LanguageModel,
    prompt: str,
    max_new_tokens: int = 200,
    temperature: float = 0.0,
    top_k: int = 0,
    top_p: float = 1.0,
    seed: int = 0,
    chat: bool = True,
    use_cache: bool = True,
) -> Generation:
    """Generate up to `max_new_tokens` after `prompt`, stopping at the end-of-text token or a new "Q:"."""
    max_new_tokens, temperature, top_k, top_p, seed = check_sampling(max_new_tokens, temperature, top_k, top_p, seed)
    text = model_input(lm, prompt, chat)
    ids = encode(lm, text, max_new_tokens)
    device = lm.model.device
    generator = make_generator(seed)
    stop = {lm.tokenizer.eos_token_id} | set(getattr(lm.model.generation_config, "eos_token_id", None) or [])
    sequence = torch.tensor([ids], device=device)  # (1, T)
    cache, tokens = None, []
    for _ in range(max_new_tokens):
        step_input = sequence[:, -1:] if cache is not None else sequence  # with a KV cache, only the new token
        out = lm.model(step_input, cache=cache, use_cache=use_cache, logits_to_keep=1)
        cache = out.cache if use_cache else None
        probs = next_token_probs(out.logits[0, -1], temperature).cpu()  # (vocab,)
        if temperature == 0:
            chosen = int(torch.argmax(probs))
        else:
            chosen = int(torch.multinomial(filtered(probs, top_k, top_p), 1, generator=generator))
        if chosen in stop:
            break
        top = torch.topk(probs, TOP_ALTERNATIVES)
        alternatives = tuple(
            (lm.tokenizer.decode([int(i)]), float(p)) for p, i in zip(top.values, top.indices, strict=True)
        )
        tokens.append(Token(lm.tokenizer.decode([chosen]), float(probs[chosen]), alternatives))
        sequence = torch.cat([sequence, torch.tensor([[chosen]], device=device)], dim=1)
        if "".join(t.text for t in tokens[-len(NEXT_QUESTION) :]).endswith(NEXT_QUESTION):
            break
    return Generation(text, tuple(tokens))


@gpu(duration=lambda lm, prompts, max_new_tokens, *rest, **options: 10 + max_new_tokens // 20)  # one step per token
@torch.inference_mode()
def generate_batch(
    lm: LanguageModel,
    prompts: list[str],
    max_new_tokens: int,
    chat: bool = True,
    stop: tuple[str, ...] = (NEXT_QUESTION,),
) -> list[str]:
    """Greedy continuations of `prompts`, run as one left-padded batch, each stopping at the end-of-text token
    or at one of `stop` (by default like `generate`: a new "Q:"), and cut to fit the context."""
    texts = [model_input(lm, p, chat) for p in prompts]
    batch = lm.tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False).to(lm.model.device)
    room = lm.context - batch.input_ids.shape[1]
    if room < 1:
        raise ValueError(
            f"a prompt of {batch.input_ids.shape[1]} tokens leaves no room in the {lm.context}-token context"
        )
    out = lm.model.generate(
        **batch,
        max_new_tokens=min(max_new_tokens, room),
        do_sample=False,
        pad_token_id=lm.tokenizer.pad_token_id,
        stop_strings=list(stop),
        tokenizer=lm.tokenizer,
    )  # (B, T + new)
    return lm.tokenizer.batch_decode(out[:, batch.input_ids.shape[1] :], skip_special_tokens=True)
