"""Lint: every rule fires on a small bad bot and stays quiet on the demo bot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlu import ContentError, load_bot
from nlu.checks import lint
from nlu.checks.lint import GENERIC_SHARE, content_words, corpus_share
from nlu.dataset import Entity, EntityValue, SourceRef
from tests.support import DEMO_BOT, MINI_BOT, run_cli

LINT_BOT = MINI_BOT.parent / "lint"


def rules_fired(bot_dir: Path) -> dict[str, list[str]]:
    fired: dict[str, list[str]] = {}
    for problem in lint(load_bot(bot_dir).dataset):
        fired.setdefault(problem.rule, []).append(f"{problem.file}:{problem.line}: {problem.message}")
    return fired


def test_each_rule_fires_on_the_bad_bot_at_the_right_place() -> None:
    fired = rules_fired(LINT_BOT)
    assert fired["near-duplicate"] == [
        "intents.json:7: l'exemple « le scooter, louer ? » (tarifs) a les mêmes mots porteurs de sens que "
        "« louer un scooter » (location, intents.json:3) : reformulez l'un des deux ou déplacez-le dans l'autre "
        "intention"
    ]
    assert len(fired["few-examples"]) == 4
    assert "intents.json:2: l'intention « location » a 3 exemples" in fired["few-examples"][0]
    assert fired["unused-context"] == [
        "intents.json:9: l'intention « paiement » pose le contexte « paiement », mais aucune intention n'a "
        "context_filter « paiement »"
    ]


def test_unused_entity() -> None:
    dataset = load_bot(LINT_BOT).dataset
    entities = {
        "couleur": Entity(
            name="couleur", values=[EntityValue(value="rose")], source=SourceRef(file="entities/couleur.txt", line=1)
        ),
    }
    problems = [p for p in lint(dataset.model_copy(update={"entities": entities})) if p.rule == "unused-entity"]
    assert [(p.file, p.line, p.message) for p in problems] == [
        ("entities/couleur.txt", 1, "l'entité « couleur » n'est utilisée par le slot d'aucun exemple")
    ]


def test_a_placeholder_the_intent_lacks_is_an_error_named_unknown_slot(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "intents": [
                    {
                        "tag": "reserver",
                        "patterns": ["réserver pour [date:snips/datetime](demain)"],
                        "responses": ["C'est noté pour {date}, {couleur}."],
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    with pytest.raises(ContentError) as raised:
        load_bot(tmp_path)
    [problem] = raised.value.problems
    assert problem.rule == "unknown-slot" and "{couleur}" in problem.message


def test_demo_bot_is_clean() -> None:
    assert rules_fired(DEMO_BOT) == {}


def test_check_prints_warnings_apart_and_strict_fails_on_them() -> None:
    relaxed = run_cli("check", LINT_BOT)
    assert relaxed.returncode == 0, relaxed.stderr
    assert "OK, 4 intentions, 12 exemples, 6 avertissement(s)" in relaxed.stdout
    assert "intents.json:9: avertissement : l'intention « paiement » pose le contexte" in relaxed.stderr
    assert "[unused-context]" in relaxed.stderr
    strict = run_cli("check", "--strict", LINT_BOT)
    assert strict.returncode == 1
    assert "OK" not in strict.stdout + strict.stderr
    assert "6 avertissement(s), refusé avec --strict" in strict.stderr
    clean = run_cli("check", "--strict", DEMO_BOT)
    assert clean.returncode == 0, clean.stderr
    assert "avertissement" not in clean.stderr and "OK" in clean.stdout


def test_unreachable_intent_stays_an_error_with_its_rule_name(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(
        json.dumps(
            {
                "intents": [
                    {"tag": "oui", "patterns": ["oui"], "responses": ["Parfait."], "context_filter": "question"},
                ]
            }
        ),
        encoding="utf-8",
    )
    result = run_cli("check", tmp_path)
    assert result.returncode == 2
    assert "a.json:1: le context_filter « question » n'est posé par le context_set d'aucune intention" in result.stderr
    assert "[unreachable-intent]" in result.stderr
    assert "avertissement" not in result.stderr


def test_generic_patterns_are_warned_at_their_line_unless_the_intent_waits_for_a_context(tmp_path: Path) -> None:
    lines = [
        '{"intents": [',
        '  {"tag": "contact", "responses": ["01 06 07 08 09"], "patterns": [',
        '    "je voudrais parler à un conseiller",',
        '    "vous avez un mail ?",',
        '    "et vous ?"]},',
        '  {"tag": "location", "responses": ["Pour quand ?"], "context_set": "quand", "patterns": [',
        '    "je voudrais louer un scooter"]},',
        '  {"tag": "tout_de_suite", "responses": ["Appelez-nous."], "context_filter": "quand", "patterns": [',
        '    "et toi ?", "pour demain", "mail"]}',
        "]}",
    ]
    (tmp_path / "intents.json").write_text("\n".join(lines), encoding="utf-8")
    assert rules_fired(tmp_path)["generic-pattern"] == [
        "intents.json:4: l'exemple « vous avez un mail ? » (contact) est trop général : ses mots porteurs de sens "
        "(mail) se trouvent dans 6 % des demandes hors sujet de référence, que l'intention risque de capter ; "
        "précisez de quoi il s'agit (par exemple « adresse mail de la boutique » plutôt que « mail »)",
        "intents.json:5: l'exemple « et vous ? » (contact) n'a aucun mot porteur de sens (que des articles, "
        "pronoms...) : l'intention risque de capter n'importe quel message ; précisez de quoi il s'agit",
    ]


def test_a_specific_short_pattern_is_not_generic() -> None:
    assert corpus_share(content_words("horaires")) < GENERIC_SHARE
    assert corpus_share(content_words("casque")) < GENERIC_SHARE
    assert corpus_share(content_words("mail")) >= GENERIC_SHARE
