"""Instruction tasks with ground truth: one instruction (how to answer) applied to one question source.

FLAN (Wei et al. 2021) tunes a model on many tasks phrased as instructions and finds that it then follows
instructions zero-shot on tasks and phrasings it never saw. Here a task is an instruction kind ("answer in one
word", "answer in capital letters", "explain step by step", "reverse the list", "reply in Toy French") on a
question source (the prompting lab's families, or a list of names); each instruction kind has phrasings used
for tuning (five, after FLAN's ten templates per task) and one phrasing kept for testing only.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from core.prompting.answers import normalise
from core.prompting.prompts import CONCLUSION
from core.prompting.tasks import Problem
from core.prompting.tasks.families import FAMILIES
from core.prompting.tasks.names import NAMES
from core.runtime.validate import whole_number
from core.tuning.models import base_question

MAX_EXAMPLES = 2000  # the most tuning examples one request may ask for


@dataclass(frozen=True)
class Instruction:
    name: str
    tuning_phrasings: tuple[str, ...]  # seen in the tuning set
    held_out_phrasing: str  # never tuned on: tests whether the model follows the idea, not the words
    respond: Callable[[Problem], str]  # the worked response the instruction asks for
    follows: Callable[[str, Problem], bool]  # whether a reply obeys the instruction and is right


@dataclass(frozen=True)
class Task:
    name: str  # "<instruction>:<source>"
    title: str
    instruction: Instruction
    source: str  # a family of core.prompting.tasks, or "names" for the list tasks


@dataclass(frozen=True)
class Example:
    task: str
    prompt: str
    response: str  # the completion tuned on (starts with a space, as the base model's answers do)
    problem: Problem
    held_out_phrasing: bool


def first_line(reply: str) -> str:
    return reply.strip().split("\n", 1)[0].strip()


def one_word(reply: str, problem: Problem) -> bool:
    text = first_line(reply)
    return " " not in text and normalise(text) == normalise(problem.answer)


def capitals(reply: str, problem: Problem) -> bool:
    return first_line(reply).rstrip(".") == problem.answer.upper()


def step_by_step(reply: str, problem: Problem) -> bool:
    """At least one reasoning sentence, then "So the answer is <right answer>."."""
    text = first_line(reply)
    head, sep, tail = text.rpartition("So the answer is ")
    return bool(sep) and head.strip().endswith(".") and normalise(tail) == normalise(problem.answer)


def exact(reply: str, problem: Problem) -> bool:
    return normalise(first_line(reply)) == normalise(problem.answer)


def toy_french(text: str) -> str:
    """Toy French: every word gets "-ou" and "le " goes before it ("Ann Bob" -> "le Annou le Bobou")."""
    return " ".join(f"le {word}ou" for word in text.split())


INSTRUCTIONS = {
    i.name: i
    for i in (
        Instruction(
            "one_word",
            (
                "Answer in one word.",
                "Give only the answer, one word.",
                "One word only.",
                "Answer with just the word.",
                "Write the answer and nothing else.",
            ),
            "Reply with a single word.",
            lambda p: p.answer,
            one_word,
        ),
        Instruction(
            "capitals",
            (
                "Answer in capital letters.",
                "Write the answer in upper case.",
                "Use capital letters for the answer.",
                "Answer in uppercase.",
                "Shout the answer in capitals.",
            ),
            "Give the answer in CAPITALS.",
            lambda p: p.answer.upper(),
            capitals,
        ),
        Instruction(
            "step_by_step",
            (
                "Explain step by step, then answer.",
                "Show each step, then give the answer.",
                "Work it out step by step.",
                "Show your working, then answer.",
                "Think it through one step at a time.",
            ),
            "Reason it out before answering.",
            lambda p: f"{p.chain} {CONCLUSION.format(answer=p.answer)}",
            step_by_step,
        ),
        Instruction(
            "reverse",
            (
                "Reverse the list.",
                "Write the list backwards.",
                "Give the list in reverse order.",
                "List them from last to first.",
                "Turn the list around.",
            ),
            "Put the list in the opposite order.",
            lambda p: p.answer,
            exact,
        ),
        Instruction(
            "toy_french",
            (
                "Reply in Toy French.",
                "Translate into Toy French.",
                "Write it in Toy French.",
                "Put it into Toy French.",
                "Answer in Toy French.",
            ),
            "Say it in Toy French.",
            lambda p: p.answer,
            exact,
        ),
    )
}

SOURCE_TITLES = {name: family.title.lower() for name, family in FAMILIES.items()} | {"names": "a list of names"}


def _task(instruction: str, source: str) -> Task:
    title = f"{instruction.replace('_', ' ')}: {SOURCE_TITLES[source]}"
    return Task(f"{instruction}:{source}", title, INSTRUCTIONS[instruction], source)


TASKS = {
    t.name: t
    for t in (
        _task("one_word", "coin_flip"),
        _task("one_word", "arithmetic"),
        _task("one_word", "dates"),
        _task("one_word", "last_letter"),
        _task("capitals", "coin_flip"),
        _task("capitals", "last_letter"),
        _task("step_by_step", "coin_flip"),
        _task("step_by_step", "arithmetic"),
        _task("step_by_step", "last_letter"),
        _task("reverse", "names"),
        _task("toy_french", "names"),
    )
}
DEFAULT_TUNING_TASKS = (
    "one_word:coin_flip",
    "one_word:arithmetic",
    "one_word:dates",
    "capitals:coin_flip",
    "step_by_step:coin_flip",
    "step_by_step:last_letter",
    "reverse:names",
)  # the rest are held out: each pairs an instruction and a question source never tuned on together
UNRELATED_TASK = "plain:coin_flip"  # the base model's own format, for measuring forgetting


def names_problem(instruction: str, rng: random.Random, split: str) -> Problem:
    """A list of 2-4 names; the answer is the list reversed, or in Toy French. Test lists start with a name
    from the second half of NAMES, tuning lists from the first half, so no test list is ever tuned on."""
    half = len(NAMES) // 2
    pool = NAMES[half:] if split == "test" else NAMES[:half]
    words = [rng.choice(pool)] + rng.sample(NAMES, rng.randint(1, 3))
    if instruction == "reverse":
        return Problem("names", ", ".join(words), (), ", ".join(reversed(words)), len(words))
    return Problem("names", " ".join(words), (), toy_french(" ".join(words)), len(words))


def problem_for(task: Task, rng: random.Random, split: str) -> Problem:
    if task.source == "names":
        return names_problem(task.instruction.name, rng, split)
    return base_question(task.source, rng, split, shortest=2)


def prompt_for(phrasing: str, problem: Problem) -> str:
    """The instruction on its own line, then the question in the base model's Q/A format."""
    return f"{phrasing}\nQ: {problem.question}\nA:"


def check_tasks(tasks: object) -> list[Task]:
    """The chosen tasks, from a list of their names, or a ValueError that says what to choose."""
    if tasks is None or (isinstance(tasks, list | tuple) and not tasks):
        raise ValueError("no tasks to tune on chosen: tick at least one, e.g. 'one word: coin flip'")
    if not isinstance(tasks, list | tuple):
        raise ValueError(f"tasks to tune on must be a list of task names such as ['one_word:coin_flip'], got {tasks!r}")
    unknown = [t for t in tasks if not isinstance(t, str) or t not in TASKS]
    if unknown:
        raise ValueError(f"unknown task {unknown[0]!r} in the tasks to tune on: choose from {', '.join(TASKS)}")
    return [TASKS[t] for t in tasks]


def tuning_set(tasks: list[str], n: int, seed: int = 0) -> list[Example]:
    """n tuning examples, the tasks and their tuning phrasings taking turns, questions from the train split."""
    chosen = check_tasks(tasks)
    n = whole_number(n, "the number of tuning examples", 1, MAX_EXAMPLES)
    rng = random.Random(seed)
    examples = []
    for i in range(n):
        task = chosen[i % len(chosen)]
        phrasing = rng.choice(task.instruction.tuning_phrasings)
        problem = problem_for(task, rng, "train")
        examples.append(
            Example(task.name, prompt_for(phrasing, problem), " " + task.instruction.respond(problem), problem, False)
        )
    return examples


def question_set(task: str, n: int, held_out_phrasing: bool, seed: int = 1) -> list[Example]:
    """n test questions of `task`, under its first tuning phrasing or its held-out one. Each task and phrasing draws
    its own questions (a string seed: `random` hashes it with SHA-512, the same in every process), so claims that
    pool several of them count different questions, not one question several times."""
    (chosen,) = check_tasks([task])
    rng = random.Random(f"{seed}:{chosen.name}:{'held-out' if held_out_phrasing else 'tuning'}")
    phrasing = chosen.instruction.held_out_phrasing if held_out_phrasing else chosen.instruction.tuning_phrasings[0]
    examples = []
    for _ in range(n):
        problem = problem_for(chosen, rng, "test")
        response = " " + chosen.instruction.respond(problem)
        examples.append(Example(chosen.name, prompt_for(phrasing, problem), response, problem, held_out_phrasing))
    return examples
