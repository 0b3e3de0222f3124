"""Tuning the bundled model, seeded and small: SFT helps instructions in phrasings it never saw, a reward model
learns rankings, PPO raises the reward within a bounded KL, and a flawed reward gets exploited. The same code
tunes a hub-style model (Qwen2 architecture, LoRA on its linear layers), here a tiny random-weight one."""

import math

import pytest
import torch

from core.runtime.training import Training
from core.tuning.feedback import rater_reward
from core.tuning.instructions import DEFAULT_TUNING_TASKS, TASKS, tuning_set
from core.tuning.lab import SFT_LEARNING_RATE
from core.tuning.policy import base_model
from core.tuning.ppo import PPOConfig, ppo
from core.tuning.preferences import feedback_problems, rater_preferences
from core.tuning.sessions import STORE
from core.tuning.zero_shot import score_task

pytestmark = pytest.mark.timeout(1200)  # tens of seconds each on an idle 2-core CPU; minutes on a busy one

HELD_OUT_PHRASING_CHECKS = ("one_word:coin_flip", "capitals:coin_flip", "step_by_step:last_letter")


@pytest.fixture(scope="module")
def base(one_torch_thread):
    return base_model()


def weights_checksum(model) -> float:
    return float(sum(p.detach().double().sum() for p in model.parameters()))


@pytest.mark.slow
def test_sft_raises_zero_shot_accuracy_on_phrasings_never_tuned_on(base):
    from core.tuning.sft import instruction_tune

    shared_before = weights_checksum(base.model)
    before = [score_task(base, t, 6, held_out_phrasing=True).accuracy for t in HELD_OUT_PHRASING_CHECKS]
    training = Training(steps=60, batch_size=8, learning_rate=SFT_LEARNING_RATE, seed=0)
    result = instruction_tune(base, tuning_set(list(DEFAULT_TUNING_TASKS), 240, seed=0), training)
    after = [score_task(result.lm, t, 6, held_out_phrasing=True).accuracy for t in HELD_OUT_PHRASING_CHECKS]
    # golden: the base model reasons when an instruction asks for it, as the corpus's lines before a reasoning
    # document do, and otherwise answers "The answer is X." (or continues the instruction) whatever it says
    assert before == [0.0, 0.0, 1.0]
    assert min(after[:2]) >= 0.5, after  # measured 6 and 6 of 6 on this seed
    assert result.log.series("loss")[-1] < result.log.series("loss")[0] / 3
    assert 0.5 < result.changed_fraction <= 1.0
    assert weights_checksum(base.model) == shared_before  # the registry's model is never tuned in place


@pytest.mark.slow
def test_reward_model_ranks_held_out_pairs_above_chance(base):
    from core.tuning.reward_model import train_reward_model

    pairs = rater_preferences(base, "longer", 12, 4, seed=0)
    held_out = rater_preferences(base, "longer", 6, 4, seed=1, split="test")
    assert not {p.prompt for p in pairs} & {p.prompt for p in held_out}
    rm = train_reward_model(base, pairs, Training(steps=30, batch_size=8, learning_rate=1e-3, seed=0))
    assert rm.accuracy(held_out) >= 0.7  # chance is 0.5


def test_ppo_raises_the_mean_reward_with_a_positive_bounded_kl(base):
    problems = feedback_problems(16, seed=3)
    config = PPOConfig(steps=12, batch_size=8, learning_rate=1e-4, kl_coef=0.05, max_new_tokens=24)
    shared_before = weights_checksum(base.model)
    result = ppo(base, rater_reward("correct_concise", problems), problems, config, seed=0)
    log = result.log
    assert sum(log.reward[-4:]) / 4 > sum(log.reward[:4]) / 4 + 0.1, log.reward  # measured 0.27 -> 0.41
    assert sum(log.correct[-4:]) > sum(log.correct[:4]), log.correct
    assert abs(log.kl[0]) < 1e-4  # the first batch is sampled before any update: policy == reference
    later = log.kl[1:]  # a sample estimate of the KL: each step's may dip below 0, their mean may not
    assert 0.1 < sum(later) / len(later) and max(later) < 10, log.kl  # measured 0.06 to 2.7 nats
    assert weights_checksum(base.model) == shared_before


@pytest.mark.slow
def test_a_flawed_reward_is_exploited_reward_up_right_answers_down(base):
    problems = feedback_problems(16, seed=4)
    config = PPOConfig(steps=15, batch_size=8, learning_rate=3e-4, kl_coef=0.02, max_new_tokens=64)
    log = ppo(base, rater_reward("longer", problems), problems, config, seed=0).log
    first, last = slice(0, 4), slice(-4, None)

    def mean(xs):
        return sum(xs) / len(xs)

    assert mean(log.reward[last]) > mean(log.reward[first]) + 0.3, log.reward  # measured 2.8 -> 4.6
    assert mean(log.length[last]) > mean(log.length[first]), log.length  # 29 -> 59 characters
    assert mean(log.correct[last]) < mean(log.correct[first]) - 0.2, log.correct  # 28% -> 0% right
    assert mean(log.kl[last]) > 10 * max(mean(log.kl[first]), 1.0), log.kl  # 1.8 -> 59 nats


def test_dpo_tunes_on_the_same_preferences_and_draws_the_same_curves(base):
    from core.tuning.dpo import dpo

    problems = feedback_problems(8, seed=5)
    pairs = rater_preferences(base, "longer", 6, 4, seed=0)
    shared_before = weights_checksum(base.model)
    training = Training(steps=4, batch_size=4, learning_rate=3e-4, seed=0)
    result = dpo(base, pairs, rater_reward("longer", problems), problems, training, max_new_tokens=24)
    assert result.method == "dpo" and len(result.log.reward) == len(result.log.kl) == 4
    assert result.seconds > 0 and all(math.isfinite(k) for k in [*result.log.kl, *result.log.reward])
    assert weights_checksum(base.model) == shared_before  # the reference stays as it was
    assert weights_checksum(result.lm.model) != shared_before  # the policy learned from the pairs


@pytest.fixture
def tiny_hub_model(tmp_path, monkeypatch):
    """A tiny random-weight Qwen2 (the architecture of the 0.5B instruct models) with the bundled tokenizer, chosen
    through the registry's environment variable as a hub id would be."""
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    from core.prompting.choices import MODEL_DIR
    from core.runtime import spec_for

    tokenizer = AutoTokenizer.from_pretrained(MODEL_DIR)
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                         eos_token_id=tokenizer.eos_token_id, pad_token_id=tokenizer.pad_token_id)  # fmt: skip
    with torch.random.fork_rng():
        torch.manual_seed(0)
        Qwen2ForCausalLM(config).save_pretrained(tmp_path / "tiny-qwen")
    tokenizer.save_pretrained(tmp_path / "tiny-qwen")
    monkeypatch.setenv(spec_for("lab-lm").env_var, str(tmp_path / "tiny-qwen"))
    return tmp_path / "tiny-qwen"


def test_the_gpu_path_tunes_a_hub_architecture_with_lora_through_the_registry(tiny_hub_model, one_torch_thread):
    from core.tuning.lab import instruction_tuning

    lm = base_model()
    assert type(lm.model).__name__ == "Qwen2ForCausalLM" and lm.source == str(tiny_hub_model)
    key, report = instruction_tuning(None, ["one_word:coin_flip"], examples=16, steps=2, lora=True, questions=1,
                                     learning_rate=1e-3)  # fmt: skip
    assert len(report.rows) == 2 * len(TASKS) and len(report.losses) == 2
    tuned = STORE.get(key, "instruction_tuned_model", "step 1").model
    assert 0 < report.changed_fraction < 1  # LoRA merged: only the linear layers' weights move
    assert torch.equal(tuned.model.embed_tokens.weight, lm.model.model.embed_tokens.weight)
    assert not torch.equal(
        tuned.model.layers[0].self_attn.q_proj.weight, lm.model.model.layers[0].self_attn.q_proj.weight
    )


def test_feedback_tuning_after_instruction_tuning_trains_its_own_copy(base):
    """TRL's SFTTrainer patches the tuned model's forward with a closure over that model; a private copy must still
    run (and train) its own weights, or PPO and DPO from the tuned model would change nothing."""
    from trl.trainer.utils import add_fused_lm_head

    from core.tuning.policy import private_copy
    from core.tuning.sft import instruction_tune

    patched = private_copy(base)
    add_fused_lm_head(patched.model)  # what SFTTrainer and DPOTrainer do to the model they train
    assert "forward" in vars(patched.model) and "forward" not in vars(private_copy(patched).model)
    training = Training(steps=2, batch_size=8, learning_rate=1e-3, seed=0)
    tuned = instruction_tune(base, tuning_set(list(DEFAULT_TUNING_TASKS), 16, seed=0), training).lm
    ids = torch.tensor([tuned.tokenizer("Q: A coin is heads up.\nA:").input_ids])
    copy = private_copy(tuned).model
    with torch.no_grad():
        for p in copy.parameters():
            p.zero_()
        assert float(copy(ids).logits.abs().max()) == 0.0  # the copy's zeroed weights, not the original's
        assert float(tuned.model(ids).logits.abs().max()) > 0.0
    problems = feedback_problems(8, seed=3)
    config = PPOConfig(steps=2, batch_size=8, learning_rate=3e-4, kl_coef=0.1, max_new_tokens=24)
    result = ppo(tuned, rater_reward("correct_concise", problems), problems, config, seed=0)
    assert weights_checksum(result.lm.model) != weights_checksum(tuned.model)
    assert result.log.kl[1] != 0.0, result.log.kl  # the second batch comes from the updated policy


def test_the_reward_model_starts_from_the_policy_as_it_is_now(base):
    """After instruction tuning the reward model's transformer is the tuned one, not the checkpoint's on disk."""
    from core.tuning.policy import private_copy
    from core.tuning.reward_model import initial_reward_model

    tuned = private_copy(base)
    with torch.no_grad():
        for p in tuned.model.parameters():
            p.add_(0.01)
    rm = initial_reward_model(tuned, seed=0)
    expected = tuned.model.base_model.state_dict()  # the decoder under the language-model head
    assert all(torch.equal(t, expected[name]) for name, t in rm.base_model.state_dict().items())
    assert not torch.equal(rm.get_input_embeddings().weight, base.model.get_input_embeddings().weight)
    assert torch.equal(initial_reward_model(tuned, seed=0).score.weight, rm.score.weight)  # the head: from the seed
    assert not torch.equal(initial_reward_model(tuned, seed=1).score.weight, rm.score.weight)


def test_held_out_replies_end_as_the_tuning_replies_do(base):
    """The claims' batched greedy replies are the replies the tuning loop samples at temperature 0 (before the first
    newline), so the reward model scores the format it was trained on; the questions are distinct."""
    from core.tuning.claims import HELD_OUT_PROMPTS, greedy_replies, held_out_questions
    from core.tuning.preferences import prompt_of
    from core.tuning.sampling import sample_replies

    problems = held_out_questions(seed=0)
    assert len({p.question for p in problems}) == len(problems) == HELD_OUT_PROMPTS
    prompts = [prompt_of(p) for p in problems[:12]]
    one_by_one = [sample_replies(base, prompt, 1, 0, 32, temperature=0).texts[0] for prompt in prompts]
    assert greedy_replies(base, prompts, 32) == one_by_one
    assert all("\n" not in r for r in one_by_one) and any(r.startswith(" The answer is") for r in one_by_one)


def test_instruction_tuning_reports_training_and_evaluation_apart(base):
    """The progress bar counts the test questions' tasks before and after the training steps, and the report
    times training and evaluation apart."""
    from core.tuning.lab import instruction_tuning

    said = []
    _, report = instruction_tuning(None, ["one_word:coin_flip"], 8, 5, 1e-3, False, 0, 1,
                                   progress=lambda done, total, what: said.append((done, total, what)))  # fmt: skip
    before = [s for s in said if "before tuning" in s[2]]  # none once the base model's scores are cached
    training, after = said[len(before) : len(before) + 5], said[len(before) + 5 :]
    assert [s[:2] for s in training] == [(step, 5) for step in range(1, 6)]
    assert after == [(k, len(TASKS), f"measuring zero-shot accuracy after tuning: task {k}/{len(TASKS)}")
                     for k in range(1, len(TASKS) + 1)]  # fmt: skip
    assert len(before) in (0, len(TASKS)) and said[: len(before)] == before
    assert report.seconds > 0 and report.evaluation_seconds > 0


def test_the_bundled_tuned_models_load_through_the_registry_and_answer_as_tuned(one_torch_thread):
    """`lab-lm-sft` and `lab-lm-ppo` (python -m core.tuning.bundle) are copies of the base model's architecture with
    their own weights, loaded in float32 from float16 files, also under the prompting lab's menu names; on the same
    prompt the base model continues its text, and the instruction-tuned and PPO-tuned ones answer in a word
    (golden replies of the bundled weights)."""
    from core.prompting.replies import language_model
    from core.tuning.side_by_side import side_by_side

    base, sft, ppo_lm = language_model(""), language_model("bundled-sft"), language_model("bundled-ppo")
    assert type(sft.model) is type(base.model) and sft.model.dtype == torch.float32
    sums = {weights_checksum(m.model) for m in (base, sft, ppo_lm)}
    assert len(sums) == 3  # three different sets of weights
    result = side_by_side(None, "one_word:coin_flip", 0)
    assert [(r.origin, r.text, r.follows) for r in result.replies] == [
        ("the base model", "a single word", False),
        ("bundled", "YES", True),
        ("bundled", "YES", True),
    ]


def test_ppo_trains_on_the_token_that_ended_each_reply(base):
    """Stopping is an action: the newline or end-of-text token that ended a reply is kept apart from its text and
    is inside the trained positions, so a reward for length can make replies longer; a reply cut at the token limit
    has no stop token."""
    from core.tuning.feedback import batch_of, rollouts
    from core.tuning.sampling import stops

    problems = feedback_problems(4, seed=3)
    replies = rollouts(base, problems, seed=0, max_new_tokens=24)
    end, newline = stops(base)
    assert all(r.stop_ids[0] is None or r.stop_ids[0] in end | newline for r in replies)
    assert any(r.stop_ids[0] is not None for r in replies)
    ids, attention, mask = batch_of(replies, torch.device("cpu"))
    for i, r in enumerate(replies):
        stopped = r.stop_ids[0] is not None
        assert int(mask[i].sum()) == len(r.token_ids[0]) + stopped
        assert "\n" not in r.texts[0] and (stopped or len(r.token_ids[0]) == 24)  # no stop: cut at the limit
        if stopped:  # the last trained position predicts the stop token
            last = int(mask[i].nonzero().max())
            assert int(ids[i, last + 1]) == r.stop_ids[0]
    cut = rollouts(base, problems[:1], seed=0, max_new_tokens=1)[0]
    assert cut.stop_ids[0] is None or len(cut.token_ids[0]) == 0


def test_the_side_by_side_columns_say_where_each_model_came_from(base):
    """The session's own tuned models where it has them, PPO from the base model named as such, and the bundled ones
    otherwise, also when the session's models have expired."""
    from core.tuning.side_by_side import models

    key = STORE.put(None, ppo_tuned_model=base, ppo_started_from="base")
    assert [(column, origin) for column, origin, _ in models(key)] == [
        ("base model", "the base model"),
        ("instruction-tuned (SFT)", "bundled"),
        ("feedback-tuned (PPO from the base model)", "this session's"),
    ]
    key = STORE.put(key, instruction_tuned_model=base, ppo_started_from="tuned")
    assert [origin for _, origin, _ in models(key)][1:] == ["this session's", "this session's"]
    gone = [origin for _, origin, _ in models("a-session-the-store-no-longer-has")]
    assert gone[1:] == ["bundled; this session's tuned models have expired"] * 2
