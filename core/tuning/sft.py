"""Instruction tuning: supervised fine-tuning on instructions and worked responses, with TRL's `SFTTrainer`.

The loss is the next-token cross-entropy on the response only (TRL's prompt-completion format), so the model
learns to answer, not to write instructions. `lora=True` trains low-rank adapters on every linear layer
(peft; Hu et al. 2021) and merges them after, so the tuned model runs as fast as the base one. Every Trainer run
of the lab checks its `Deadline` before each step (`step_callbacks`), so it stops at the server's time limit or
as soon as its visitor has left.
"""

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass

from core.prompting.generate import model_input
from core.prompting.models import LanguageModel
from core.runtime import check_seed
from core.runtime.limits import Deadline
from core.runtime.training import Training
from core.runtime.validate import number, whole_number
from core.tuning.instructions import Example
from core.tuning.policy import TrainerLog, changed_fraction, lora_config, own_random_state, private_copy

MAX_STEPS = 400  # a live run on a 2-core CPU stays under a minute
MAX_BATCH = 32
LEARNING_RATES = (1e-5, 1e-2)


@dataclass(frozen=True)
class SFTResult:
    lm: LanguageModel  # the tuned copy
    log: TrainerLog
    seconds: float
    examples: int
    changed_fraction: float  # of the base model's weights


def check_training(training: Training, max_steps: int = MAX_STEPS) -> Training:
    """`training` with its steps, batch size, learning rate and seed made numbers inside the caps, or a ValueError
    naming the one out of range."""
    low, high = LEARNING_RATES
    return Training(
        steps=whole_number(training.steps, "steps", 1, max_steps),
        batch_size=whole_number(training.batch_size, "batch size", 1, MAX_BATCH),
        learning_rate=number(training.learning_rate, "learning rate", low, high, hint="e.g. 0.0003"),
        seed=check_seed(training.seed),
    )


def step_callbacks(progress: Callable[[int, int], None] | None = None, deadline: Deadline | None = None) -> list:
    """A transformers `TrainerCallback` that calls `deadline.check()` before every optimisation step (its `TooLong`
    or `Cancelled` ends the run) and `progress(step, max_steps)` after it."""
    from transformers import TrainerCallback

    class Steps(TrainerCallback):
        def on_step_begin(self, args, state, control, **kwargs):
            if deadline is not None:
                deadline.check()

        def on_step_end(self, args, state, control, **kwargs):
            if progress is not None:
                progress(state.global_step, state.max_steps)

    return [Steps()]


def trainer_args(config_class, training: Training, **extra):
    """The arguments every run here shares: CPU or the registry's device, no checkpoints, no logging services."""
    return config_class(
        output_dir=tempfile.mkdtemp(prefix="genai-tuning-"),
        max_steps=training.steps,
        per_device_train_batch_size=training.batch_size,
        learning_rate=training.learning_rate,
        lr_scheduler_type="constant",
        warmup_steps=0,
        logging_steps=1,
        save_strategy="no",
        report_to="none",
        disable_tqdm=True,
        seed=training.seed,
        data_seed=training.seed,
        dataloader_num_workers=0,
        dataloader_pin_memory=False,
        activation_checkpointing=False,  # TRL turns it on by default; a small model has no memory to save
        bf16=False,
        fp16=False,
        **extra,
    )


def train_quietly(trainer) -> TrainerLog:
    """Run `trainer` without its console printer (the page shows progress; the server log stays quiet) and return
    what it logged at each optimisation step."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)
    trainer.train()
    return TrainerLog(tuple(row for row in trainer.state.log_history if "loss" in row))


def instruction_tune(
    base: LanguageModel,
    examples: list[Example],
    training: Training = Training(steps=150, batch_size=16, learning_rate=3e-3),
    lora: bool = False,
    progress: Callable[[int, int], None] | None = None,
    deadline: Deadline | None = None,
) -> SFTResult:
    """Fine-tune a private copy of `base` on `examples` (prompt -> worked response) for `training.steps` steps,
    checking `deadline` before each."""
    from datasets import Dataset
    from trl import SFTConfig, SFTTrainer

    training = check_training(training)
    if not examples:
        raise ValueError("no tuning examples: choose at least one task and one example")
    tuned = private_copy(base)
    # each prompt as the model reads it when asked (`model_input`), and so does the tuned copy
    data = Dataset.from_list(
        [{"prompt": model_input(base, e.prompt, chat=False), "completion": e.response} for e in examples]
    )
    args = trainer_args(SFTConfig, training, max_length=min(base.context, 512))
    began = time.perf_counter()
    with own_random_state():
        trainer = SFTTrainer(
            model=tuned.model,
            args=args,
            train_dataset=data,
            processing_class=base.tokenizer,
            peft_config=lora_config() if lora else None,
            callbacks=step_callbacks(progress, deadline),
        )
        log = train_quietly(trainer)
    model = trainer.model.merge_and_unload() if lora else trainer.model
    model.eval()
    seconds = time.perf_counter() - began
    result_lm = LanguageModel(tuned.source, base.tokenizer, model, base.context, document_start=base.document_start)
    return SFTResult(result_lm, log, seconds, len(examples), changed_fraction(base.model, model))
