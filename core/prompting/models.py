"""The lab's model in the registry as "lab-lm": the bundled model (trained by
`python -m core.prompting.train`) or any hub causal LM, loaded the same way with `from_pretrained`."""

from dataclasses import dataclass
from typing import Any

from core.prompting.choices import BASE, INSTRUCT, MODEL_DIR, NAME
from core.runtime import ModelSpec, get_model, register


@dataclass(frozen=True)
class LanguageModel:
    source: str
    tokenizer: Any
    model: Any
    context: int  # the most tokens (prompt + generation) the model can attend to
    name: str = NAME  # the registry name it was loaded under

    @property
    def has_chat_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def __reduce__(self):
        """Pickle as a registry reference, not as weights: a ZeroGPU worker (a fork of this process)
        receives the arguments of a GPU function pickled and finds the already loaded model by name."""
        return get_model, (self.name, self.source)


def load(source: str) -> LanguageModel:
    """Tokenizer and causal LM from a local directory or a hub id, on the device of `core.runtime`."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from core.runtime import pick_device, pick_dtype

    device = pick_device()
    tokenizer = AutoTokenizer.from_pretrained(source)
    tokenizer.padding_side = "left"
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForCausalLM.from_pretrained(source, dtype=pick_dtype(device)).to(device).eval()
    config = model.config
    context = getattr(config, "max_position_embeddings", None) or getattr(config, "n_positions", None) or 2048
    return LanguageModel(source, tokenizer, model, int(context))


# A 2.2 M-parameter base Llama-style decoder (BPE tokens) pre-trained on generated documents of reasoning tasks
SPEC = register(ModelSpec(name=NAME, bundled=MODEL_DIR, load=load, hub=(BASE, INSTRUCT)))
