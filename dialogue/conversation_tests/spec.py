"""The conversation test files: their schema, read with the line of everything in them.

```yaml
conversations:
  - name: la conversation du livre blanc
    turns:
      - user: je voudrais louer un scooter
        intent: location
        contexts: [jourlocation]
      - user: pour aujourd'hui
        response: {one_of: "aujourd'hui"}   # any of that intent's responses
```

A response is expected exactly (``response: "texte"``), as one of several (``one_of`` a list of
texts, or an intent's name for any of its responses) or as a regular expression (``pattern``).

A turn whose intent calls an action declares what the action returns (``action_result``: the
action protocol's response, or ``unavailable`` for a failed call), so that the test needs no
action server; ``action`` checks which action ran.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from causette_sdk.protocol import ActionResponse
from nlu import Bot, ContentError, Dataset, Problem
from nlu.bot import TESTS_FOLDER
from nlu.errors import validation_problems
from nlu.formats.located_json import line_of
from nlu.formats.located_yaml import YamlError, loads_located_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ResponseRule(_Strict):
    """What the bot's reply must be: exactly a text, one of several, or matching a pattern."""

    exact: str | None = None
    one_of: list[str] | str | None = Field(default=None, description="texts, or an intent's name")
    pattern: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _text_means_exact(cls, value: Any) -> Any:
        return {"exact": value} if isinstance(value, str) else value

    @model_validator(mode="after")
    def _exactly_one(self) -> ResponseRule:
        if sum(rule is not None for rule in (self.exact, self.one_of, self.pattern)) != 1:
            raise PydanticCustomError("response-rule-one", "give exactly one of a text, one_of or pattern")
        return self

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str | None) -> str | None:
        if pattern is not None:
            try:
                re.compile(pattern)
            except re.error as error:
                raise PydanticCustomError(
                    "bad-regex", "not a valid regular expression: {error}", {"error": str(error)}
                ) from None
        return pattern


class TurnSpec(_Strict):
    """One user message and what the bot must do with it; what is left out is not checked."""

    user: str = Field(min_length=1)
    intent: str | None = None
    fallback: bool = False
    response: ResponseRule | None = None
    contexts: list[str] | None = Field(default=None, description="exactly the contexts active after")
    slots: dict[str, Any] | None = Field(default=None, description="slots the session must hold")
    action: str | None = Field(default=None, description="the action the turn runs")
    action_result: ActionResponse | Literal["unavailable"] | None = Field(
        default=None, description="what the turn's action returns, instead of calling it"
    )

    @model_validator(mode="after")
    def _intent_or_fallback(self) -> TurnSpec:
        if self.fallback and self.intent is not None:
            raise PydanticCustomError("intent-and-fallback", "a turn expects an intent or a fallback, not both")
        return self


class ConversationSpec(_Strict):
    """A conversation, played from a new session."""

    name: str = Field(min_length=1)
    turns: list[TurnSpec] = Field(min_length=1)


class TestFileSpec(_Strict):
    """A whole test file."""

    __test__ = False  # not a pytest class, whatever its name
    conversations: list[ConversationSpec] = Field(min_length=1)


@dataclass(frozen=True)
class TurnCase:
    """A turn to play, with where it is written."""

    file: str
    line: int
    expect: TurnSpec


@dataclass(frozen=True)
class ConversationCase:
    """A conversation to play, with where it is written."""

    file: str
    line: int
    name: str
    turns: list[TurnCase]


def conversation_test_files(folder: Path) -> list[Path]:
    """The YAML files under the bot folder's ``tests/``."""
    tests = folder / TESTS_FOLDER
    return sorted(p for p in tests.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())


def load_conversation_tests(bot: Bot) -> list[ConversationCase]:
    """Every conversation test of a bot; ContentError naming file:line for any broken one.

    Besides the schema, a test may only name intents the bot has and contexts some intent sets.
    """
    cases: list[ConversationCase] = []
    problems: list[Problem] = []
    for path in conversation_test_files(bot.folder):
        found, file_problems = _read(path, str(path.relative_to(bot.folder)))
        cases += found
        problems += file_problems
    problems += [p for case in cases for p in _check_names(case, bot.dataset)]
    if problems:
        raise ContentError(problems)
    return cases


def _read(path: Path, name: str) -> tuple[list[ConversationCase], list[Problem]]:
    try:
        document = loads_located_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return [], [Problem(file=name, line=1, code="not-utf8", params={"reason": error.reason})]
    except YamlError as error:
        return [], [error.problem(name)]
    try:
        spec = TestFileSpec.model_validate(document)
    except ValidationError as error:
        return [], validation_problems(error, name, lambda loc: line_of(document, loc), TestFileSpec, yaml=True)
    return [
        ConversationCase(
            file=name,
            line=line_of(document, ("conversations", c)),
            name=conversation.name,
            turns=[
                TurnCase(name, line_of(document, ("conversations", c, "turns", t)), turn)
                for t, turn in enumerate(conversation.turns)
            ],
        )
        for c, conversation in enumerate(spec.conversations)
    ], []


def _check_names(case: ConversationCase, dataset: Dataset) -> list[Problem]:
    intents = set(dataset.intent_names)
    actions = {intent.action for intent in dataset.intents if intent.action}
    contexts = {intent.context_set for intent in dataset.intents if intent.context_set}
    problems = []
    for turn in case.turns:
        expect = turn.expect
        named = [expect.intent] if expect.intent else []
        if expect.response and isinstance(expect.response.one_of, str):
            named.append(expect.response.one_of)
        problems += [Problem.at(turn, "test-unknown-intent", intent=name) for name in named if name not in intents]
        problems += [
            Problem.at(turn, "test-unknown-context", context=name)
            for name in expect.contexts or []
            if name not in contexts
        ]
        if expect.action is not None and expect.action not in actions:
            problems.append(Problem.at(turn, "test-unknown-action", action=expect.action))
    return problems
