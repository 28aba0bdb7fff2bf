"""`seal ask`: one question to the answer model from the shell (here the local fallback: no vLLM in CI)."""

from __future__ import annotations

from typer.testing import CliRunner

from app.cli import app

runner = CliRunner()


def test_ask_answers_from_the_passage_and_cites_it(monkeypatch):
    monkeypatch.delenv("SEAL_LLM_BASE_URL", raising=False)
    result = runner.invoke(app, ["ask", "--text", "How tall is the Eiffel Tower?",
                                 "--passage", "The Eiffel Tower is 330 metres tall.",
                                 "--passage", "Penguins keep their eggs warm for two months."])
    assert result.exit_code == 0, result.output
    assert "330 metres" in result.stdout
    assert "citations: ['1']" in result.stderr or "citations: [1]" in result.stderr, result.stderr


def test_ask_without_a_question_says_how_to_give_one():
    result = runner.invoke(app, ["ask", "--passage", "anything"])
    assert result.exit_code == 1
    assert "--wav FILE and/or --text" in result.stderr
