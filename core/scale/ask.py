"""Your own prompt, asked of every member of the ladder: each one's greedy answer and the log-probability it gives
your right answer, smallest to largest, so a student sees where (or whether) the answer appears with size."""

from pathlib import Path

from core.prompting.generate import encode, generate_batch
from core.scale.emergence import answer_logprob, exact_match
from core.scale.ladder_files import read_ladder
from core.scale.models import member_model

ANSWER_TOKENS = 24  # enough for a word or a short sentence; the answer stops at its line's end
MAX_ANSWER_CHARS = 200
NOT_SHIPPED = "(not shipped, to keep the Spaces small: its measurements are in the table)"


def continuation(prompt: str, answer: str) -> str:
    """The answer as it follows the prompt: after "A:" it starts with a space, after a space or a line it does not."""
    answer = answer.strip()
    return answer if prompt.endswith((" ", "\n")) else f" {answer}"


def ask_ladder(folder: Path, prompt: str, answer: str) -> list[dict]:
    """One row per member of the ladder in `folder`, smallest first: its greedy answer (up to the line's end),
    whether that is the right answer, and log p(right answer | prompt)."""
    if not isinstance(prompt, str) or not prompt.strip():
        raise ValueError("the prompt is empty: type a question that ends where its answer goes, e.g. 'Q: Enzo\\nA:'")
    if not isinstance(answer, str) or not answer.strip():
        raise ValueError("the right answer is empty: type the answer you expect, e.g. 'dax'")
    if len(answer) > MAX_ANSWER_CHARS:
        raise ValueError(f"the right answer is {len(answer):,} characters; at most {MAX_ANSWER_CHARS}: shorten it")
    rows = []
    for name, row in read_ladder(folder).items():
        if not (Path(folder) / name).is_dir():  # too large to ship: its measurements only
            rows.append({"Member": name, "Parameters": f"{row['parameters']:,}", "Greedy answer": NOT_SHIPPED})
            continue
        lm = member_model(Path(folder), name)
        encode(lm, prompt, ANSWER_TOKENS)  # a ValueError that says what to do for too long or unreadable a prompt
        reply = generate_batch(lm, [prompt], ANSWER_TOKENS, chat=False, stop=("\n",))[0]
        rows.append(
            {
                "Member": name,
                "Parameters": f"{row['parameters']:,}",
                "Greedy answer": reply.split("\n", 1)[0].strip(),
                "Right": "yes" if exact_match(reply, answer) else "no",
                "log p(right answer)": round(
                    answer_logprob(lm.model, lm.tokenizer, prompt, continuation(prompt, answer)), 3
                ),
            }
        )
    return rows
