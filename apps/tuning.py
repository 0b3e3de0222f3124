"""Tuning lab: instruction tuning (SFT), feedback tuning (a reward model from rankings, then PPO or DPO), and the
notes' table of fine-tuning vs prompt engineering vs RLHF, measured. UI only; the logic lives in `core.tuning`.

torch, transformers and TRL load on the first click (inside the handlers), so the page itself builds fast.
"""

import gradio as gr
import pandas as pd

from apps.deep_links import link_inputs
from apps.hosting import family_line, model_line
from core.tuning.instructions import TASKS
from core.tuning.lab import (
    DEFAULT_TASKS,
    EVAL_QUESTIONS,
    FEEDBACK_LEARNING_RATE,
    MAX_EVAL_QUESTIONS,
    REWARDS,
    SFT_LEARNING_RATE,
    START_FROM,
    answers_to_rank,
    compare_methods,
    default_reward,
    feedback_tuning,
    instruction_tuning,
    rank,
    restore_weights,
    tuned_weights_files,
)
from core.tuning.models import NAME
from core.tuning.sessions import TTL_S
from core.tuning.weights_file import SUFFIX

TITLE = "Tuning lab"
ANSWERS = 4  # answers a student ranks at a time
TASK_CHOICES = [(t.title, name) for name, t in TASKS.items()]
START_CHOICES = [(label, key) for key, label in START_FROM.items()]
REWARD_CHOICES = [(label, key) for key, label in REWARDS.items()]
METHOD_CHOICES = [("PPO (reward model + RL)", "ppo"), ("DPO (preferences directly)", "dpo")]
# Column headers of the result tables, shown before the first run too.
TUNE_COLUMNS = ["task", "task in tuning set", "phrasing", "before", "after"]
PAIR_COLUMNS = ["question", "preferred", "over"]
TIME_COLUMNS = ["method", "training (s)", "last batch: reward-model score", "last batch: KL",
                "last batch: right answers", "held out: reward-model score", "held out: right answers"]  # fmt: skip
ANSWER_COLUMNS = ["question", "before", "after"]
NOTES_COLUMNS = ["", "what", "how", "when"]
FEEDBACK_DEFAULTS = {"method": "ppo", "steps": 15, "learning_rate": FEEDBACK_LEARNING_RATE, "kl_coef": 0.1,
                     "seed": 0}  # fmt: skip
SIDE_COLUMNS = ["model", "from", "reply", "follows the instruction"]
MEASURED_COLUMNS = ["", "examples / rankings used", "compute (s)", "weights changed", "target reached",
                    "unrelated task (forgetting)", "how it was run"]  # fmt: skip


def on_instruction_tune(tasks, examples, steps, learning_rate, lora, seed, questions, session, progress=gr.Progress()):
    from core.tuning.charts import accuracy_before_after, loss_curve
    from core.tuning.over_seeds import live_note
    from core.tuning.summaries import instruction_rows, instruction_summary

    def tick(done, total, what):
        progress((done, total), desc=what)

    session, report = instruction_tuning(
        session, tasks, examples, steps, learning_rate, lora, seed, questions, progress=tick
    )
    summary = (
        instruction_summary(report)
        + "\n\n"
        + live_note("sft")
        + (
            "\n\n**Next:** open **2. Rank** to rank this tuned model's answers, or go straight to **3. RLHF** "
            "and tune it with a built-in rater."
        )
    )
    bars = accuracy_before_after(
        [(f"{r.title}{' (new phrasing)' if r.held_out_phrasing else ''}", r.before, r.after) for r in report.rows]
    )
    table = pd.DataFrame(instruction_rows(report), columns=TUNE_COLUMNS)
    return summary, table, bars, loss_curve(list(report.losses)), session


def on_answers(start_from, question, seed, session):
    session, prompt, replies = answers_to_rank(session, start_from, question, ANSWERS, seed)
    return (f"**Question:**\n```\n{prompt}\n```", *replies, *([None] * ANSWERS), session)


def on_rank(*args):
    from core.tuning.summaries import pairs_rows, pairs_summary

    *ranks, session = args
    session, pairs = rank(session, list(ranks))
    summary = pairs_summary(pairs) + (
        "\n\n**Next:** change the question number, write answers and rank them again; or open **3. RLHF**, "
        "where the reward is now a reward model of your rankings."
    )
    return summary, pd.DataFrame(pairs_rows(pairs), columns=PAIR_COLUMNS), "rankings", session


def on_feedback_tune(method, reward, steps, seed, learning_rate, kl_coef, start_from, session, progress=gr.Progress()):
    from core.tuning.charts import feedback_curves
    from core.tuning.over_seeds import live_note, run_name
    from core.tuning.summaries import feedback_summary, times_rows

    def tick(done, total, what):
        progress((done, total), desc=what)

    session, report, reports = feedback_tuning(
        session, method, reward, steps, seed, learning_rate, kl_coef, start_from, progress=tick
    )
    other = "DPO" if method == "ppo" else "PPO"
    note = live_note(run_name(method, reward, steps, kl_coef, start_from, learning_rate))
    summary = (
        feedback_summary(method, report)
        + "\n\n"
        + note
        + (
            f"\n\n**Next:** run {other} on the same preferences to compare the two in the table below; try another "
            "reward, then **Restore defaults**; or open **4. Compare**."
        )
    )
    times = pd.DataFrame(times_rows(reports), columns=TIME_COLUMNS)
    answers = pd.DataFrame(report.before_after, columns=ANSWER_COLUMNS)
    return summary, feedback_curves({m: r.log for m, r in reports.items()}), times, answers, session


def on_restore_defaults(session):
    return *FEEDBACK_DEFAULTS.values(), default_reward(session), "tuned"


def on_download(session):
    return [str(f) for f in tuned_weights_files(session)]


def on_upload(weights, session):
    session, restored = restore_weights(session, weights)
    return f"Restored the {' and the '.join(restored)}.", session


def on_side_by_side(task, question, instruction, session):
    from core.tuning.side_by_side import side_by_side
    from core.tuning.summaries import side_rows, side_summary

    result = side_by_side(session, task, question, instruction)
    return side_summary(result), pd.DataFrame(side_rows(result), columns=SIDE_COLUMNS)


def on_compare(steps, test_questions, seed, progress=gr.Progress()):
    from core.tuning.comparison import NOTES, reading
    from core.tuning.summaries import measured_rows

    rows = compare_methods(steps, test_questions, seed, progress=lambda f, what: progress(f, desc=what))
    notes = pd.DataFrame([[m, *text] for m, text in NOTES.items()], columns=NOTES_COLUMNS)
    return notes, pd.DataFrame(measured_rows(rows), columns=MEASURED_COLUMNS), reading(rows)


with gr.Blocks(title=TITLE) as demo:
    session = gr.State(None, time_to_live=TTL_S)  # the key of this browser session's tuned models
    gr.Markdown(f"# {TITLE}")
    gr.Markdown(
        "A pre-trained model continues its text; tuning makes it follow instructions and please people. "
        "**Instruction tuning** is supervised learning on instructions with worked answers. **Feedback tuning** "
        "ranks several answers to one prompt and steers the model towards the better ones: a reward model learns "
        "the rankings and PPO optimises against it, with a KL penalty that keeps the model near where it started."
    )
    gr.Markdown(f"{model_line(NAME)} {family_line()}")
    with gr.Accordion("Keep your tuned models", open=False):
        gr.Markdown(
            f"The server keeps this page's tuned models for {TTL_S // 60} minutes after their last use, and drops "
            "the least recently used ones first when many visitors tune at once. Download them to keep them; after "
            "a reload, upload the files again to go on where you left off."
        )
        with gr.Row():
            download_btn = gr.Button("Download my tuned models")
            downloads = gr.File(label="Tuned weights (safetensors)", file_count="multiple", interactive=False)
        with gr.Row():
            uploads = gr.File(label="Tuned weights to restore", file_count="multiple", file_types=[SUFFIX])
            upload_btn = gr.Button("Restore my tuned models")
        restored_md = gr.Markdown()

    with gr.Accordion("Base vs tuned: one question, three models", open=False):
        gr.Markdown(
            "**One model family, three stages.** The same instruction and question, answered by the base model "
            "(pre-trained only), the instruction-tuned model and the feedback-tuned one (PPO after SFT), as the "
            "notes compare GPT-3 with ChatGPT. The tuned models are this session's where it has run steps 1 and 3 "
            "(PPO), else the bundled ones the lab's own steps made from the same base. The instruction starts as "
            "the task's phrasing **never tuned on**; write your own to probe them."
        )
        with gr.Row():
            side_task = gr.Dropdown(TASK_CHOICES, value="one_word:coin_flip", label="Task (graded by its rule)")
            side_question = gr.Number(0, precision=0, label="Question number (a test question)")
            side_instruction = gr.Textbox(
                "", label="Your own instruction (empty: the phrasing never tuned on)", max_length=200
            )
        side_btn = gr.Button("Answer with all three", variant="primary")
        side_md = gr.Markdown()
        side_table = gr.Dataframe(
            headers=SIDE_COLUMNS, label="Base vs tuned", wrap=True, column_widths=["22%", "14%", "48%", "16%"],
            elem_id="side-by-side",
        )  # fmt: skip

    with gr.Tab("1. SFT"):
        gr.Markdown(
            "**Instruction tuning** (supervised fine-tuning, SFT). Tick the tasks to tune on; the others are **held out**. Every task is also asked in a **phrasing "
            "never tuned on**. FLAN (Wei et al. 2021) found that tuning on many instructions helps unseen ones "
            "zero-shot, in models of many billions of parameters."
        )
        tasks = gr.CheckboxGroup(TASK_CHOICES, value=DEFAULT_TASKS, label="Tasks to tune on")
        with gr.Row():
            examples = gr.Slider(8, 1000, value=240, step=8, label="Tuning examples")
            sft_steps = gr.Slider(5, 400, value=60, step=5, label="Steps (batches of 8)")
            sft_lr = gr.Number(SFT_LEARNING_RATE, label="Learning rate")
            lora = gr.Checkbox(False, label="LoRA (train low-rank adapters only)")
            sft_seed = gr.Number(0, precision=0, label="Seed")
            questions = gr.Slider(1, MAX_EVAL_QUESTIONS, value=EVAL_QUESTIONS, step=1, label="Test questions per task")
        tune_btn = gr.Button("Run instruction tuning", variant="primary")
        tune_summary = gr.Markdown()
        tune_table = gr.Dataframe(
            headers=TUNE_COLUMNS, label="Zero-shot accuracy per task, before and after", wrap=True
        )
        tune_bars = gr.Plot(label="Accuracy before vs after", elem_id="accuracy-bars")
        tune_loss = gr.Plot(label="Training loss")

    with gr.Tab("2. Rank"):
        gr.Markdown(
            "**Rank answers.** The model writes four answers to one question. Rank them: 1 for the best; equal ranks tie."
        )
        with gr.Row():
            start_from = gr.Radio(START_CHOICES, value="tuned", label="Model that answers (and is tuned in step 3)")
            question = gr.Number(0, precision=0, label="Question number")
            answer_seed = gr.Number(0, precision=0, label="Sampling seed")
        answers_btn = gr.Button("Write answers")
        question_md = gr.Markdown()
        answer_boxes, rank_boxes = [], []
        for i in range(ANSWERS):
            with gr.Row():
                answer_boxes.append(gr.Textbox(label=f"Answer {i + 1}", interactive=False, scale=4))
                rank_boxes.append(gr.Dropdown(list(range(1, ANSWERS + 1)), label=f"Rank of answer {i + 1}", scale=1))
        rank_btn = gr.Button("Add my ranking", variant="primary")
        pairs_md = gr.Markdown()
        pairs_table = gr.Dataframe(headers=PAIR_COLUMNS, label="Preference pairs")

    with gr.Tab("3. RLHF"):
        gr.Markdown(
            "**Feedback tuning** (RLHF: PPO, or DPO). Pick where the preferences come from: your rankings, or a "
            "built-in rater. **Longer is better** is a flawed reward. To look for reward hacking (Gao et al. 2022), "
            "pick longer is better, set the KL coefficient to 0.02 and the learning rate to 3e-4, and start from the "
            "instruction-tuned model: over 5 seeds the README measured the reward model's score on held-out "
            "questions rising at every seed and right answers falling at 3 of 5, the policy running far from its "
            "start; try several seeds, as one run is one draw. From **the base model** at 1e-4 the replies grow at "
            "every seed while right answers mostly survive. **Restore defaults** puts the "
            "settings back. Run PPO, then DPO on the same preferences, to see both side by side. The summary above "
            "the curves names where each number comes from: the training batches (what the curves show), or "
            "held-out questions the tuning never saw (the claims)."
        )
        with gr.Row():
            method = gr.Radio(METHOD_CHOICES, value=FEEDBACK_DEFAULTS["method"], label="Method")
            reward = gr.Dropdown(REWARD_CHOICES, value="correct_concise", label="Reward", min_width=300)
        with gr.Row():
            fb_steps = gr.Slider(1, 60, value=FEEDBACK_DEFAULTS["steps"], step=1, label="Steps (8 prompts each)")
            fb_lr = gr.Number(FEEDBACK_DEFAULTS["learning_rate"], label="Learning rate")
            kl_coef = gr.Number(FEEDBACK_DEFAULTS["kl_coef"], label="KL coefficient (beta)")
            fb_seed = gr.Number(FEEDBACK_DEFAULTS["seed"], precision=0, label="Seed")
        with gr.Row():
            feedback_btn = gr.Button("Run feedback tuning", variant="primary")
            defaults_btn = gr.Button("Restore defaults")
        feedback_summary = gr.Markdown()
        curves = gr.Plot(label="Per step")
        times = gr.Dataframe(
            headers=TIME_COLUMNS,
            label="PPO vs DPO on the same preferences",
            wrap=True,
            column_widths=["10%", "11%", "16%", "11%", "16%", "18%", "18%"],
        )
        before_after = gr.Dataframe(
            headers=ANSWER_COLUMNS,
            label="Answers before vs after (same questions, same seeds)",
            wrap=True,
            column_widths=["40%", "30%", "30%"],
            elem_id="before-after",
        )

    with gr.Tab("4. Compare"):
        gr.Markdown(
            "**Fine-tuning vs prompting vs RLHF**: the notes' table, with measured columns. One target: answer a coin-flip question with the right "
            "word only (the base model says 'The answer is yes.'). Each way is scored on the same held-out questions."
        )
        with gr.Row():
            compare_steps = gr.Slider(
                2, 60, value=40, step=2, label="Training steps (SFT; reward model; PPO gets half)"
            )
            compare_questions = gr.Slider(4, 32, value=16, step=4, label="Held-out test questions")
            compare_seed = gr.Number(0, precision=0, label="Seed")
        compare_btn = gr.Button("Measure the table", variant="primary")
        notes_table = gr.Dataframe(
            headers=NOTES_COLUMNS,
            label="Getting the most out of large language models (the notes)",
            wrap=True,
            column_widths=["16%", "28%", "28%", "28%"],
            elem_id="notes-table",
        )
        measured_table = gr.Dataframe(headers=MEASURED_COLUMNS, label="Measured here", wrap=True)
        measured_md = gr.Markdown()

    side_btn.click(
        on_side_by_side, [side_task, side_question, side_instruction, session], [side_md, side_table],
        api_name="side_by_side",
    )  # fmt: skip
    answers_btn.click(
        on_answers,
        [start_from, question, answer_seed, session],
        [question_md, *answer_boxes, *rank_boxes, session],
        api_name="answers",
    )
    rank_btn.click(on_rank, [*rank_boxes, session], [pairs_md, pairs_table, reward, session], api_name="rank")
    defaults_btn.click(
        on_restore_defaults, [session], [method, fb_steps, fb_lr, kl_coef, fb_seed, reward, start_from], api_name=False
    )
    download_btn.click(on_download, [session], [downloads], api_name="download_weights")
    upload_btn.click(on_upload, [uploads, session], [restored_md, session], api_name="restore_weights")
    for button, handler, inputs, outputs, api_name in (
        (tune_btn, on_instruction_tune, [tasks, examples, sft_steps, sft_lr, lora, sft_seed, questions, session],
         [tune_summary, tune_table, tune_bars, tune_loss, session], "instruction_tune"),
        (feedback_btn, on_feedback_tune, [method, reward, fb_steps, fb_seed, fb_lr, kl_coef, start_from, session],
         [feedback_summary, curves, times, before_after, session], "feedback_tune"),
        (compare_btn, on_compare, [compare_steps, compare_questions, compare_seed],
         [notes_table, measured_table, measured_md], "compare_methods"),
    ):  # fmt: skip
        # the training runs go one at a time: each takes every core it gets
        button.click(handler, inputs, outputs, api_name=api_name, concurrency_id="train", concurrency_limit=1)
    link_inputs(
        demo,
        {
            "tasks": tasks, "examples": examples, "steps": sft_steps, "lr": sft_lr, "lora": lora, "seed": sft_seed,
            "questions": questions, "start": start_from, "question": question, "method": method, "reward": reward,
            "feedback_steps": fb_steps, "feedback_lr": fb_lr, "kl": kl_coef, "compare_steps": compare_steps,
            "compare_questions": compare_questions,
        },
    )  # fmt: skip


if __name__ == "__main__":
    from apps.serving import launch

    launch(demo, "tuning")
