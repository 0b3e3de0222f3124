"""The transformers the explorer opens: the bundled toy translator (encoder-decoder), the prompting
lab's decoder-only language model, or any hub model that returns attentions (gpt2, bert-base-uncased,
t5-small, ...), all loaded with eager attention so every attention matrix can be read.
"""

import threading
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from torch import nn

from core.attention.anatomy import AttentionBlock, attention_blocks
from core.attention.choices import BUNDLED_NAMES, HUB_EXAMPLES
from core.attention.choices import TRANSLATOR as TRANSLATOR_NAME
from core.prompting.models import NAME as LAB_LM
from core.runtime import ModelSpec, get_model, pick_device, register, resolve
from core.runtime.validate import text

TRANSLATOR_DIR = Path(__file__).resolve().parent / "translator"


@dataclass(frozen=True)
class Transformer:
    """A tokenizer and a model, with what kind of stack the model is."""

    tokenizer: object
    model: nn.Module
    kind: str  # "encoder", "decoder" or "encoder-decoder"
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False, compare=False)  # hooks are shared state

    @property
    def device(self):
        return next(self.model.parameters()).device

    @cached_property
    def blocks(self) -> list[AttentionBlock]:
        return attention_blocks(self.model, is_decoder_only=self.kind == "decoder")

    @property
    def max_positions(self) -> int | None:
        """The longest sequence its position table covers; None for relative schemes without a limit."""
        config = self.model.config
        return getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None)

    @property
    def has_lm_head(self) -> bool:
        return self.kind != "encoder"


def kind_of(config) -> str:
    if getattr(config, "is_encoder_decoder", False):
        return "encoder-decoder"
    architectures = " ".join(config.architectures or [])
    if "CausalLM" in architectures or "LMHead" in architectures:
        return "decoder"
    return "encoder"


def load_transformer(source: str) -> Transformer:
    """Tokenizer and model from a local directory or hub id, eager attention, on this process's device."""
    from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, AutoModelForSeq2SeqLM, AutoTokenizer

    config = AutoConfig.from_pretrained(source)
    kind = kind_of(config)
    auto = {"encoder-decoder": AutoModelForSeq2SeqLM, "decoder": AutoModelForCausalLM, "encoder": AutoModel}[kind]
    model = auto.from_pretrained(source, attn_implementation="eager").to(pick_device()).eval()
    return Transformer(tokenizer=AutoTokenizer.from_pretrained(source), model=model, kind=kind)


# A 2+2-layer Marian encoder-decoder trained here on a toy English -> French-like language pair
TRANSLATOR = register(ModelSpec(name=TRANSLATOR_NAME, bundled=TRANSLATOR_DIR, load=load_transformer, hub=("t5-small",)))
# Any transformers model that returns attentions, by hub id
HUB = register(
    ModelSpec(
        name="transformer-hub",
        bundled=TRANSLATOR_DIR,  # without a hub id (GENAI_MODEL_TRANSFORMER_HUB or the UI) it opens the translator
        load=load_transformer,
        hub=HUB_EXAMPLES,
    )
)


def open_transformer(model: str) -> Transformer:
    """`model` is a bundled registry name (see `BUNDLED_NAMES`) or a hub id / local directory."""
    model = text(model, "model", max_chars=200, example=BUNDLED_NAMES[0])
    if model == TRANSLATOR.name:
        return get_model(model)
    if model == LAB_LM:  # the prompting lab's decoder, wherever the registry says it lives, loaded with eager attention
        return get_model(HUB.name, source=resolve(LAB_LM))
    return get_model(HUB.name, source=model)
