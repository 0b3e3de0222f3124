"""The lab's model in the registry as "lab-lm": the bundled model (trained by
`python -m core.prompting.train`) or any hub causal LM, loaded the same way with `from_pretrained`."""

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.prompting.choices import BASE, INSTRUCT, MODEL_DIR, NAME, TUNED
from core.runtime import ModelSpec, get_model, register


@dataclass(frozen=True)
class LanguageModel:
    source: str
    tokenizer: Any
    model: Any
    context: int  # the most tokens (prompt + generation) the model can attend to
    name: str = NAME  # the registry name it was loaded under
    document_start: str = ""  # text read before every plain prompt: "" or the end-of-text token (`opened`)

    @property
    def has_chat_template(self) -> bool:
        return bool(getattr(self.tokenizer, "chat_template", None))

    def __reduce__(self):
        """Pickle as a registry reference, not as weights: a ZeroGPU worker (a fork of this process)
        receives the arguments of a GPU function pickled and finds the already loaded model by name."""
        return get_model, (self.name, self.source)


def opened(lm: LanguageModel) -> LanguageModel:
    """`lm` reading every plain prompt after its end-of-text token, as every document of the bundled model's
    training stream but the first is read: the prompt is then the start of a document, not text that may follow
    an unseen part of one (whose examples, cut off, may have asked for reasoning)."""
    return replace(lm, document_start=lm.tokenizer.eos_token)


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


def load_base(source: str) -> LanguageModel:
    """The lab's base model. The bundled one reads every plain prompt after its end-of-text token (`opened`): so it
    was trained (a line before a reasoning document asks for the working) and so it is measured; a hub model reads
    the prompt as typed."""
    lm = load(source)
    return opened(lm) if Path(source).resolve() == MODEL_DIR else lm


# A 2.2 M-parameter base Llama-style decoder (BPE tokens) pre-trained on generated documents of reasoning tasks
SPEC = register(ModelSpec(name=NAME, bundled=MODEL_DIR, load=load_base, hub=(BASE, INSTRUCT)))

# Its tuned copies, made by the tuning lab's own steps (`python -m core.tuning.bundle`): instruction-tuned, then
# feedback-tuned with PPO. Always the bundled copies: a Space that runs a hub base model has no tuned copy of it.
TUNED_DIR = Path(__file__).resolve().parent / "tuned"
SFT_NAME, PPO_NAME = TUNED["bundled-sft"], TUNED["bundled-ppo"]


def load_sft(source: str) -> LanguageModel:
    """Tuned from the bundled base model on prompts read after its end-of-text token, so read that way too."""
    return replace(opened(load(source)), name=SFT_NAME)  # pickled as this name (a ZeroGPU worker finds it loaded)


def load_ppo(source: str) -> LanguageModel:
    return replace(opened(load(source)), name=PPO_NAME)


SFT_SPEC = register(ModelSpec(name=SFT_NAME, bundled=TUNED_DIR / "sft", load=load_sft))
PPO_SPEC = register(ModelSpec(name=PPO_NAME, bundled=TUNED_DIR / "ppo", load=load_ppo))
