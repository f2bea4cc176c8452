"""Conversation tests: the YAML format, its file:line errors, the runner, `causette test` and JUnit."""

from __future__ import annotations

import shutil
from pathlib import Path
from xml.etree import ElementTree

import pytest

from causette_sdk.messages import TextMessage
from dialogue import Brain, SlotValue, Turn
from dialogue.conversation_tests import TurnCase, load_conversation_tests, outcome_lines, run_conversations
from dialogue.conversation_tests.runner import compare
from dialogue.conversation_tests.spec import TurnSpec
from nlu import ContentError, Model, load_bot
from tests.support import BOT_DATA, DEMO_BOT, MINI_BOT, run_cli

DAY_ANSWER = "Pour les locations du jour, merci d'appeler le 01 06 07 08 09"


def bot_with_tests(tmp_path: Path, yaml_text: str) -> Path:
    bot = tmp_path / "bot"
    shutil.copytree(MINI_BOT, bot, ignore=BOT_DATA)
    (bot / "tests").mkdir()
    (bot / "tests" / "scenario.yaml").write_text(yaml_text, encoding="utf-8")
    return bot


def problems_of(bot: Path) -> list[str]:
    with pytest.raises(ContentError) as error:
        load_conversation_tests(load_bot(bot))
    return [str(problem) for problem in error.value.problems]


BROKEN = {
    "invalid YAML": ("conversations:\n  - name: a\n    turns: [\n", "tests/scenario.yaml:4: YAML invalide"),
    "repeated key": (
        "conversations:\n  - name: a\n    turns:\n      - user: bonjour\n        user: salut\n",
        "tests/scenario.yaml:5: YAML invalide : la clé « user » apparaît deux fois",
    ),
    "unknown key": (
        "conversations:\n  - name: a\n    turns:\n      - user: bonjour\n        intnet: horaires\n",
        "tests/scenario.yaml:5: conversations.0.turns.0: clé inconnue « intnet » : vouliez-vous dire « intent » ?",
    ),
    "yes is not text": (
        "conversations:\n  - name: a\n    turns:\n      - user: yes\n",
        "mettez le texte entre guillemets",
    ),
    "no turns": ("conversations:\n  - name: a\n    turns: []\n", "tests/scenario.yaml:3: conversations.0.turns"),
    "two response rules": (
        "conversations:\n  - name: a\n    turns:\n      - user: x\n        response: {one_of: [a], pattern: b}\n",
        "tests/scenario.yaml:5: conversations.0.turns.0.response: donnez exactement un seul de",
    ),
    "bad pattern": (
        "conversations:\n  - name: a\n    turns:\n      - user: x\n        response: {pattern: '(a'}\n",
        "tests/scenario.yaml:5: conversations.0.turns.0.response.pattern: expression régulière invalide",
    ),
    "unknown intent": (
        "conversations:\n  - name: a\n    turns:\n      - user: x\n\n      - user: y\n        intent: horaire\n",
        "tests/scenario.yaml:6: le bot n'a pas d'intention « horaire »",
    ),
    "unknown context": (
        "conversations:\n  - name: a\n    turns:\n      - user: x\n        contexts: [jour]\n",
        "tests/scenario.yaml:4: aucune intention ne pose le contexte « jour »",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_test_files_are_reported_with_file_and_line(tmp_path: Path, case: str) -> None:
    text, expected = BROKEN[case]
    problems = problems_of(bot_with_tests(tmp_path, text))
    assert any(expected in problem for problem in problems), problems


async def test_each_expectation_is_compared(tmp_path: Path, mini_model: Model) -> None:
    bot = load_bot(
        bot_with_tests(
            tmp_path,
            f"""
conversations:
  - name: everything right
    turns:
      - user: je voudrais louer un scooter
        intent: location
        contexts: [jourlocation]
        response: {{one_of: location}}
      - user: pour aujourd'hui
        response: "{DAY_ANSWER}"
  - name: everything wrong
    turns:
      - user: je voudrais louer un scooter
        intent: horaires
        contexts: []
        response: {{pattern: "^On est ouvert"}}
        slots: {{date: demain}}
      - user: never played
  - name: fallback expected
    turns:
      - user: xqzkwp vbnmtr
        fallback: true
        response: {{one_of: ["Désolé, je n'ai pas compris."]}}
""",
        )
    )
    right, wrong, fallback = await run_conversations(Brain(bot, mini_model), load_conversation_tests(bot))
    assert right.passed and fallback.passed
    failure = wrong.failure
    assert failure is not None and wrong.not_run == 1
    assert [m.what for m in failure.mismatches] == ["intent", "response", "contexts", "slot date"]
    intent, response, contexts, slot = failure.mismatches
    assert (intent.expected, intent.got.split()[0]) == ("horaires", "location")
    assert response.expected == "a text matching /^On est ouvert/"
    assert (contexts.expected, contexts.got) == ("(none)", "jourlocation")
    assert slot.got == "'(none)'"
    report = "\n".join(outcome_lines(wrong))
    assert "FAIL tests/scenario.yaml:11 everything wrong" in report
    assert "tests/scenario.yaml:13: turn 1, user > je voudrais louer un scooter" in report
    assert "(1 later turn(s) not played)" in report


@pytest.mark.parametrize(
    ("expected", "matches"),
    [
        ("samedi", True),
        ("samedi 28 novembre", True),
        ("2026-11-28 00:00:00 +01:00", True),
        ("dimanche", False),
    ],
)
def test_a_slot_matches_as_typed_resolved_or_written_out(mini_model: Model, expected: str, matches: bool) -> None:
    slot = SlotValue.model_validate(
        {
            "entity": "snips/datetime",
            "rawValue": "samedi",
            "text": "samedi 28 novembre",
            "value": {"kind": "InstantTime", "value": "2026-11-28 00:00:00 +01:00"},
        }
    )
    turn = Turn(
        session_id="s",
        messages=[TextMessage(text="ok")],
        intent="location",
        probability=0.9,
        fallback=False,
        contexts=[],
        slots={"date": slot},
    )
    case = TurnCase("tests/t.yaml", 3, TurnSpec(user="samedi", slots={"date": expected}))
    assert (compare(Brain(load_bot(MINI_BOT), mini_model), case, turn) == []) is matches


async def test_an_exact_response_among_several_gets_a_hint(tmp_path: Path, demo_model_dir: Path) -> None:
    demo = tmp_path / "demo"
    shutil.copytree(DEMO_BOT, demo, ignore=shutil.ignore_patterns(".causette", "tests"))
    responses = load_bot(demo).dataset.intent("horaires").response_texts
    (demo / "tests").mkdir()
    (demo / "tests" / "exact.yaml").write_text(
        "conversations:\n"
        + "".join(
            f'  - name: exact {n}\n    turns:\n      - user: vous ouvrez à quelle heure ?\n        response: "{text}"\n'
            for n, text in enumerate(responses)
        ),
        encoding="utf-8",
    )
    bot = load_bot(demo)
    outcomes = await run_conversations(Brain(bot, Model.load(demo_model_dir)), load_conversation_tests(bot))
    failures = [outcome.failure for outcome in outcomes if outcome.failure is not None]
    assert len(failures) in range(1, len(responses))  # one response is given, the others are not
    assert all("expect {one_of: horaires}" in failure.mismatches[0].hint for failure in failures)


def test_causette_test_passes_on_the_demo_bot_and_writes_junit(tmp_path: Path) -> None:
    junit = tmp_path / "demo.xml"
    result = run_cli("test", DEMO_BOT, "--junit", junit)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 failed" in result.stdout and "FAIL" not in result.stdout
    root = ElementTree.parse(junit).getroot()
    assert root.tag == "testsuites" and root.get("failures") == "0"
    cases = root.findall("testsuite/testcase")
    assert int(root.attrib["tests"]) == len(cases) >= 17
    assert {"la conversation du livre blanc", "location pour plus tard", "une phrase hors sujet"} <= {
        case.get("name") for case in cases
    }
    assert all(case.get("file", "").startswith("tests/") and int(case.attrib["line"]) > 0 for case in cases)


def test_a_wrong_expectation_fails_with_a_diff_and_a_junit_failure(tmp_path: Path) -> None:
    bot = bot_with_tests(
        tmp_path,
        """
conversations:
  - name: seed conversation
    turns:
      - user: je voudrais louer un scooter
        intent: location
      - user: pour aujourd'hui
        intent: plus_tard
  - name: opening hours
    turns:
      - user: vous ouvrez à quelle heure ?
        intent: horaires
""",
    )
    junit = tmp_path / "out.xml"
    result = run_cli("test", bot, "--junit", junit)
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    fail = lines.index("FAIL tests/scenario.yaml:3 seed conversation")
    assert lines[fail + 1] == "  tests/scenario.yaml:7: turn 2, user > pour aujourd'hui"
    assert lines[fail + 2] == "    intent  expected: plus_tard"
    assert lines[fail + 3].startswith("            got:      aujourd'hui (")
    assert "PASS tests/scenario.yaml:9 opening hours (1 turns)" in lines
    assert lines[-1] == "2 conversation(s): 1 passed, 1 failed"
    assert "\033[" not in result.stdout
    root = ElementTree.parse(junit).getroot()
    assert (root.get("tests"), root.get("failures")) == ("2", "1")
    [failure] = root.findall(".//testcase[@name='seed conversation']/failure")
    assert "expected plus_tard" in failure.attrib["message"]
    assert "pour aujourd'hui" in (failure.text or "")


def test_broken_test_file_or_none_exit_2(tmp_path: Path) -> None:
    broken = run_cli("test", bot_with_tests(tmp_path, "conversations: [\n"))
    assert broken.returncode == 2 and "tests/scenario.yaml:2: YAML invalide" in broken.stderr
    none = run_cli("test", MINI_BOT)
    assert none.returncode == 2 and "no conversation tests" in none.stderr
