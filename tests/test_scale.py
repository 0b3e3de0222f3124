"""Foundation models and scale: the Chinchilla rule, the course's tables, and the demo's API."""

from pathlib import Path

import pytest

from core.scale import tables
from core.scale.charts import dataset_sizes, model_sizes
from core.scale.chinchilla import tokens_per_parameter
from core.scale.tables import CAPABILITIES, CAPABILITY_TABLE, CORPORA, MODELS, PROVIDERS, providers_with

NOTES = Path(__file__).resolve().parents[2] / "shared" / "course-notes" / "000_8b8fad5570cfa52a.txt"


def test_chinchilla_itself_is_at_chinchilla_scale():
    verdict = tokens_per_parameter(70, 1400)
    assert verdict.ratio == pytest.approx(20.0)
    assert verdict.notes_scale and verdict.chinchilla_scale
    assert verdict.train_flops == pytest.approx(5.88e23)


def test_gpt3_is_far_below_both_thresholds():
    verdict = tokens_per_parameter(175, 300)
    assert verdict.ratio == pytest.approx(1.714, abs=1e-3)
    assert not verdict.notes_scale and not verdict.chinchilla_scale
    assert verdict.optimal_tokens_b == pytest.approx(3500)
    assert "falls short of" in verdict.summary()


def test_between_the_notes_and_the_paper_the_two_rules_disagree():
    verdict = tokens_per_parameter(10, 170)  # 17:1
    assert verdict.notes_scale and not verdict.chinchilla_scale


@pytest.mark.parametrize(
    "params,tokens", [(0, 10), (-5, 10), (10, float("nan")), ("lots", 10), (None, 10), (1e9, 10), (70, 1e12)]
)
def test_bad_sizes_get_a_message_with_an_example(params, tokens):
    with pytest.raises(ValueError, match="e.g."):
        tokens_per_parameter(params, tokens)


def test_dataset_table_matches_the_course_notes():
    by_name = {d.name: d for d in CORPORA}
    assert (by_name["GPT-3 dataset"].tokens_b, by_name["GPT-3 dataset"].size_tb) == (499, 0.75)
    assert (by_name["MassiveText"].tokens_b, by_name["MassiveText"].size_tb) == (2300, 10.5)
    assert by_name["GPT-4 (estimate)"].estimate and by_name["GPT-4 (estimate)"].tokens_b == 20000


def test_every_model_names_its_source():
    assert all(m.source for m in MODELS)
    assert all(m.source for m in CORPORA)


@pytest.mark.skipif(not NOTES.exists(), reason="the course notes are not next to this checkout")
def test_the_capability_table_is_the_notes_table():
    lines = NOTES.read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("\tPublicly Available"))
    assert tuple(lines[header].strip().split("\t")) == CAPABILITIES
    rows = [line.split("\t") for line in lines[header + 1 : header + 1 + len(PROVIDERS)]]
    assert tuple(row[0] for row in rows) == PROVIDERS
    for provider, *cells in rows:
        dots = {c for c, cell in zip(CAPABILITIES, cells, strict=True) if cell.strip() == "\u25cf"}
        assert CAPABILITY_TABLE[provider] == dots, provider


def test_the_filter_keeps_the_providers_with_a_dot_in_every_required_column(monkeypatch):
    """The notes' table has a dot in every cell, so take one away to see the filter work."""
    without = {**CAPABILITY_TABLE, "Cohere": frozenset(CAPABILITIES) - {"Translation"}}
    monkeypatch.setattr(tables, "CAPABILITY_TABLE", without)
    assert "Cohere" in providers_with(["Open"])
    assert providers_with(["Open", "Translation"]) == [p for p in PROVIDERS if p != "Cohere"]
    with pytest.raises(ValueError, match="unknown capability"):
        providers_with(["Telepathy"])


def test_figures_carry_a_source_line():
    for fig in (model_sizes(), dataset_sizes("tokens"), dataset_sizes("TB")):
        assert any(a.text.startswith("Source:") for a in fig.layout.annotations)
    with pytest.raises(ValueError, match="unit"):
        dataset_sizes("bytes")


def test_highlighted_model_appears_on_the_chart():
    fig = model_sizes(highlight=tokens_per_parameter(7, 2000))
    star = [t for t in fig.data if t.name.startswith("your model")]
    assert star and star[0].x == (7.0,) and star[0].y == (2000.0,)


def test_api_chinchilla_and_clean_error(gradio_client):
    from gradio_client.exceptions import AppError

    from apps.scale import demo

    client = gradio_client(demo)
    text, _plot = client.predict(70, 1400, api_name="/chinchilla")
    assert "20.0 tokens per parameter" in text
    with pytest.raises(AppError, match="positive"):
        client.predict(0, 1400, api_name="/chinchilla")


def test_the_model_table_fits_a_1400_px_page(page):
    """Every column, sources included, is on screen at 1400 px, and no header breaks mid-word."""
    from apps.scale import demo
    from tests.conftest import free_port
    from tests.table_fit import CELL, assert_table_fits

    page.set_viewport_size({"width": 1400, "height": 900})
    page.set_default_timeout(180_000)  # a busy CPU answers slowly
    _, url, _ = demo.launch(prevent_thread_lock=True, server_port=free_port(), quiet=True)
    try:
        page.goto(url)
        table = page.locator("#models-table")
        table.locator(CELL, has_text="Chinchilla").first.wait_for(timeout=60_000)
        assert_table_fits(table)
    finally:
        demo.close()
