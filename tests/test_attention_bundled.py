"""The bundled models: the toy translator translates unseen sentences and its cross-attention finds the
source word each target word translates, even where the word order changes; the prompting lab's decoder
opens in the explorer with its attention readable."""

import pytest
import torch

from core.attention.ablation import ablate, kl_per_head
from core.attention.extract import attention_view, model_attentions, run
from core.attention.models import LAB_LM, TRANSLATOR, open_transformer
from core.attention.toy_translation import COLOURS, make_splits, sample_pair
from core.attention.train_translation import exact_match

REORDERING = "the small red car sees a black dog"  # colours move after their noun


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def translator():
    return open_transformer(TRANSLATOR.name)


@pytest.fixture(scope="module")
def held_out():
    _, test = make_splits(n_train=30_000, n_test=1_000, seed=0)  # the split the bundled model was trained with
    return test


def test_weights_are_small_enough_for_the_repo():
    for path in TRANSLATOR.bundled.iterdir():
        assert path.stat().st_size < 10 * 2**20, path


def test_held_out_sentences_are_translated_exactly(translator, held_out):
    accuracy = exact_match(translator.model, translator.tokenizer, held_out[:300])
    assert accuracy >= 0.9


def test_held_out_sentences_never_occur_in_training(held_out):
    train, _ = make_splits(n_train=30_000, n_test=1_000, seed=0)
    assert not {p.source for p in train} & {p.source for p in held_out}


def test_data_records_the_word_alignment():
    import random

    pair = sample_pair(random.Random(3))
    source, target = pair.source.split(), pair.target.split()
    assert len(pair.alignment) == len(target)
    assert sorted(pair.alignment) == list(range(len(source)))  # every source word is translated once


def test_cross_attention_peaks_on_the_aligned_source_word(translator):
    view = attention_view(translator, REORDERING)
    assert view.output_tokens[:-1] == "la petite voiture rouge voit un chien noir".split()
    alignment = [0, 1, 3, 2, 4, 5, 7, 6]  # rouge <- red and noir <- black cross over their nouns
    cross = view.maps["cross"].mean(dim=(0, 1))  # (T_target, T_source), averaged over layers and heads
    peaks = cross.argmax(-1)[: len(alignment)].tolist()
    assert [view.source.tokens[i] for i in peaks] == ["the", "small", "car", "red", "sees", "a", "dog", "black"]
    assert peaks == alignment


def test_reordered_colours_are_found_on_held_out_sentences(translator, held_out):
    tok = translator.tokenizer
    start = translator.model.config.decoder_start_token_id
    hits = total = 0
    for pair in held_out[:40]:
        ids = tok(pair.source, return_tensors="pt")["input_ids"]
        decoder_ids = torch.tensor([[start, *tok(pair.target)["input_ids"][:-1]]])  # the reference, teacher-forced
        maps = model_attentions(translator, run(translator, ids, decoder_ids))
        cross = maps["cross"].mean(dim=(0, 1))  # (T_target, T_source)
        source = pair.source.split()
        for j, i in enumerate(pair.alignment):
            if source[i] in COLOURS:
                total += 1
                hits += int(cross[j].argmax()) == i
    assert total > 10
    assert hits / total >= 0.9


def test_removing_a_cross_attention_head_changes_the_translation_distribution(translator):
    kl = torch.tensor([ablate(translator, REORDERING, "cross", 1, h).mean_kl for h in range(4)])
    assert kl.max() > 1e-3  # some head carries information the others do not
    assert ablate(translator, REORDERING, "encoder", 0, 0).mean_kl < kl.max()


def test_each_cross_attention_head_matters_differently(translator):
    grid = kl_per_head(translator, REORDERING, "cross")  # (L, nh)
    assert grid.shape == (2, 4)
    assert (grid >= 0).all()
    assert grid.max() > 100 * grid.min()  # some heads carry the alignment, others are redundant


def test_the_prompting_labs_decoder_opens_with_readable_attention():
    lm = open_transformer(LAB_LM)
    assert lm.kind == "decoder"
    view = attention_view(lm, "Q: A coin is heads up. Dan flips it. Is the coin still heads up?")
    maps = view.maps["decoder"]  # (L, nh, T, T)
    assert maps.shape[-1] == len(view.target_tokens)
    assert view.recomputation_error < 1e-5
    assert maps.triu(diagonal=1).abs().max() == 0


def test_words_outside_the_vocabulary_are_named_not_silently_unknown(translator):
    from core.attention.inputs import encode

    encoded = encode(translator, "the purple elephant sees the cat")
    assert encoded.tokens[:3] == ["the", "<unk>", "<unk>"]
    assert encoded.unknown == ("purple", "elephant")
    assert "'purple', 'elephant'" in encoded.message
    assert encode(translator, "the cat sees the dog").unknown == ()


def test_the_induction_head_reads_the_matching_examples_answer_and_the_prediction_needs_it():
    from apps.transformer import EXAMPLES
    from core.attention.induction import induction_at_query

    lm = open_transformer(LAB_LM)
    few_shot = EXAMPLES[-1][0]  # "Ann likes fox.\nBob likes 7.\n ... Again:\nBob likes"
    found = induction_at_query(lm, attention_view(lm, few_shot))
    assert (found.layer, found.head, found.answer) == (5, 1, " 7")
    assert found.attention == pytest.approx(0.848, abs=0.005)
    assert found.p_full == pytest.approx(0.9953, abs=0.001)
    assert found.p_ablated == pytest.approx(0.0090, abs=0.005)  # without the head the answer all but vanishes
    assert found.score == pytest.approx(0.556, abs=0.005)  # the average over repeated pairs ranks it lower
    assert induction_at_query(lm, attention_view(lm, "Ann likes fox.")) is None  # nothing repeats: nothing to copy


def test_the_page_opens_on_the_induction_head_only_when_it_clearly_reads_the_answer(monkeypatch):
    from apps.transformer import EXAMPLES
    from core.attention import induction
    from core.attention.induction import head_to_open

    lm = open_transformer(LAB_LM)
    view = attention_view(lm, EXAMPLES[-1][0])  # layer 5, head 1 puts 85% of its attention on the answer " 7"
    opening = head_to_open(lm, view)
    assert (opening.layer, opening.head) == (5, 1)
    assert opening.note.startswith("**Induction head:** at the last position, layer 5, head 1 puts 85%")
    monkeypatch.setattr(induction, "INDUCTION_SHOWN", 0.9)  # 85% is no longer clear enough
    opening = head_to_open(lm, view)
    assert (opening.layer, opening.head) == (0, 0)
    assert opening.note.startswith("**No induction head here:** at the last position, the head that reads ' 7'")
    assert head_to_open(lm, attention_view(lm, "Ann likes fox.")) == induction.OpeningHead(0, 0, "")
