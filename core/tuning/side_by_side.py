"""Base vs instruction-tuned vs feedback-tuned, side by side: one instruction and question answered by the three
models of one pipeline (the notes' "Improvements in text": GPT-3 vs ChatGPT on the same request).

The tuned models are the session's own where it has run steps 1 and 3 (PPO), else the bundled ones that the lab's
own steps made from the same base (`python -m core.tuning.bundle`), so a page opened with no live run still shows
all three. Each reply is greedy and graded by the task's rule: does it follow the instruction, and is it right?
"""

import random
from dataclasses import dataclass

from core.prompting.models import PPO_NAME, SFT_NAME, LanguageModel
from core.runtime.validate import choice, text, whole_number
from core.tuning.instructions import TASKS, Problem, problem_for, prompt_for
from core.tuning.models import NAME
from core.tuning.zero_shot import DEFAULT_REPLY_TOKENS, REPLY_TOKENS

MAX_QUESTION = 999
MAX_INSTRUCTION_CHARS = 200
COLUMNS = {  # session key -> (the column's model, the registry name of its bundled stand-in)
    "instruction_tuned_model": ("instruction-tuned (SFT)", SFT_NAME),
    "ppo_tuned_model": ("feedback-tuned (SFT, then PPO)", PPO_NAME),
}


@dataclass(frozen=True)
class Reply:
    model: str
    origin: str  # "this session's", "bundled", or "the base model"
    text: str
    follows: bool  # the task's rule: follows the instruction and right


@dataclass(frozen=True)
class SideBySide:
    prompt: str
    problem: Problem
    replies: tuple[Reply, ...]


def side_question(task: str, question: int) -> Problem:
    """Test question number `question` of `task`: never tuned on, the same on every page."""
    chosen = TASKS[choice(task, "task", TASKS)]
    number = whole_number(question, "question number", 0, MAX_QUESTION)
    return problem_for(chosen, random.Random(f"side-by-side:{chosen.name}:{number}"), "test")


def models(session: str | None) -> list[tuple[str, str, LanguageModel]]:
    """(column, origin, model): the base model, then each tuned model, the session's own or the bundled one."""
    from core.runtime import get_model, spec_for
    from core.tuning.policy import base_model
    from core.tuning.sessions import STORE, Expired

    try:
        kept, gone = STORE.session(session, "step 1"), ""
    except Expired:  # gone: the bundled models stand in, and the column says why
        kept, gone = {}, "; this session's tuned models have expired"
    base = base_model()
    stand_in = "bundled" if base.source == str(spec_for(NAME).bundled) else "bundled (tuned from the bundled base)"
    chosen = [("base model", "the base model", base)]
    for key, (column, bundled) in COLUMNS.items():
        own = kept.get(key)
        if own is None:
            chosen.append((column, stand_in + gone, get_model(bundled)))
        elif key == "ppo_tuned_model" and kept.get("ppo_started_from") == "base":
            chosen.append(("feedback-tuned (PPO from the base model)", "this session's", own))
        else:
            chosen.append((column, "this session's", own))
    return chosen


def side_by_side(session: str | None, task: str, question: int, instruction: object = None) -> SideBySide:
    """The three models' greedy replies to `instruction` (default: the task's phrasing never tuned on) and test
    question number `question` of `task`, each graded by the task's rule."""
    from core.tuning.claims import greedy_replies

    problem = side_question(task, question)
    rule = TASKS[task].instruction
    if instruction is None or (isinstance(instruction, str) and not instruction.strip()):
        instruction = rule.held_out_phrasing
    instruction = text(instruction, "the instruction", max_chars=MAX_INSTRUCTION_CHARS, example=rule.held_out_phrasing)
    prompt = prompt_for(" ".join(instruction.split()), problem)  # one line: the question follows on the next
    tokens = REPLY_TOKENS.get(rule.name, DEFAULT_REPLY_TOKENS)
    answered = []
    for column, origin, lm in models(session):
        reply = greedy_replies(lm, [prompt], tokens)[0].strip()
        answered.append(Reply(column, origin, reply, rule.follows(reply, problem)))
    return SideBySide(prompt, problem, tuple(answered))
