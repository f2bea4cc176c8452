"""Errors raised for broken content, each pointing at a file and a line.

A :class:`Problem` is what the CLI prints, what the API serves (as it is) and what a reload keeps:
a place, a stable ``code`` with its parameters, and the message rendered from them (in French
unless English is asked for, see :mod:`nlu.messages`). :func:`validation_problems` turns a pydantic
``ValidationError`` into problems, for every reader of a file or a frame.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Callable, Sequence
from typing import Annotated, Any, Protocol, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, ValidationError, computed_field
from pydantic_core import ErrorDetails

from nlu.messages import CATALOGUES, DEFAULT_LANGUAGE, Language, ParamValue, render

Location = tuple[int | str, ...]


class Located(Protocol):
    """Anything that names a file and a line (a dataset's ``SourceRef``, a test case)."""

    @property
    def file(self) -> str: ...

    @property
    def line(self) -> int: ...


class Problem(BaseModel):
    """One problem in a content file, printed as ``file:line: message``.

    ``code`` names the message (stable, for tools and translations); ``rule`` names the check that
    found it (e.g. ``unreachable-intent``) so that an author can look it up in the documentation;
    problems found while reading a file have none. ``message`` is the French text.
    """

    model_config = ConfigDict(frozen=True)

    file: str
    line: int
    code: str = Field(examples=["unknown-key-suggestion"])
    params: dict[str, ParamValue] = Field(default_factory=dict, examples=[{"key": "reponses"}])
    rule: str = ""

    @classmethod
    def at(cls, place: Located | None, code: str, rule: str = "", /, **params: ParamValue) -> Problem:
        """A problem at ``place`` (``?:0`` when the content has no known place); ``rule`` for checks."""
        file, line = (place.file, place.line) if place is not None else ("?", 0)
        return cls(file=file, line=line, code=code, params=params, rule=rule)

    @computed_field  # type: ignore[prop-decorator]  # pydantic's documented way to serve a property
    @property
    def message(self) -> str:
        """What is wrong, in French."""
        return self.text(DEFAULT_LANGUAGE)

    def text(self, lang: Language) -> str:
        """What is wrong, in ``lang``."""
        return render(self.code, self.params, lang)

    def located_text(self, lang: Language) -> str:
        """``file:line: message`` in ``lang``."""
        return f"{self.file}:{self.line}: {self.text(lang)}"

    def __str__(self) -> str:
        return self.located_text(DEFAULT_LANGUAGE)


def sort_problems(problems: Sequence[Problem]) -> list[Problem]:
    """Problems by file and line, each once."""
    unique = {(p.file, p.line, p.code, p.rule, tuple(p.params.items())): p for p in problems}
    return sorted(unique.values(), key=lambda p: (p.file, p.line, p.rule, p.message))


class ContentError(Exception):
    """A bot folder that cannot be trained: carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sort_problems(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def text(self, lang: Language) -> str:
        """Every problem, one ``file:line: message`` per line, in ``lang``."""
        return "\n".join(p.located_text(lang) for p in self.problems)


class ModelError(Exception):
    """A saved model that cannot be loaded: missing, tampered with, or from an unknown backend."""


def validation_problems(
    error: ValidationError,
    file: str,
    line_of: Callable[[Location], int] = lambda location: 1,
    model: type[BaseModel] | None = None,
    skip: int = 0,
    yaml: bool = False,
    prefix: Location = (),
) -> list[Problem]:
    """One problem per pydantic error: at ``line_of(location)``, with the path of keys.

    ``model`` (the validated model) lets an unknown key suggest the nearest known one; ``skip``
    drops leading location parts that mean nothing to the writer (a tagged union's tag); ``yaml``
    explains that YAML reads ``yes``, ``no`` and numbers as such where a text was expected;
    ``prefix`` is where in the file the validated value sits (``("backend_options",)``).
    """
    return [_problem(details, file, line_of, model, skip, yaml, prefix) for details in error.errors()]


def _problem(
    details: ErrorDetails,
    file: str,
    line_of: Callable[[Location], int],
    model: type[BaseModel] | None,
    skip: int,
    yaml: bool,
    prefix: Location,
) -> Problem:
    inner = [part for part in tuple(details["loc"])[skip:] if not _is_type_name(part)]
    location, path = prefix + tuple(details["loc"]), [*prefix, *inner]
    shown = [*prefix, *_shown(model, inner)]
    params: dict[str, ParamValue] = {"where": ".".join(str(part) for part in shown)}
    code = details["type"]
    context = details.get("ctx") or {}
    if code == "extra_forbidden":
        key = str(path[-1]) if path else ""
        params["where"] = ".".join(str(part) for part in shown[:-1])
        params["key"] = key
        suggestion = _nearest_key(model, inner[:-1], key)
        code = "unknown-key-suggestion" if suggestion else "unknown-key"
        if suggestion:
            params["suggestion"] = suggestion
    elif yaml and code == "string_type" and isinstance(details.get("input"), bool | int | float):
        code = "string-type-yaml"
    elif code in CATALOGUES[DEFAULT_LANGUAGE]:
        params |= {name: _param(value) for name, value in context.items()}
    else:
        # An error type without words of ours: pydantic's English message is all there is.
        code, params["error"] = "invalid-value", details["msg"]
    return Problem(file=file, line=line_of(location), code=code, params=params)


def _param(value: Any) -> ParamValue:
    if isinstance(value, float) and value.is_integer():
        return int(value)  # "at most 1", not "at most 1.0"
    return value if isinstance(value, str | int | float) else str(value)


def _is_type_name(part: int | str) -> bool:
    """pydantic names union members and validators it tried (``str``, ``list[str]``, ``ResponseRule``)."""
    return isinstance(part, str) and (part[:1].isupper() or part == "str" or "[" in part)


def _shown(model: type[BaseModel] | None, path: Sequence[int | str]) -> list[int | str]:
    """``path`` as its writer reads it: without the tags pydantic adds for a tagged union (a
    message's type, which the writer gave as ``"type"``)."""
    shown: list[int | str] = []
    target: Any = model
    for part in path:
        union = _strip(target)
        if get_origin(union) in (Union, types.UnionType) and (member := _tagged_member(union, part)) is not None:
            target = member
            continue
        shown.append(part)
        target = _inner(target, part)
    return shown


def _nearest_key(model: type[BaseModel] | None, path: Sequence[int | str], key: str) -> str | None:
    """The known key closest to ``key`` in the object at ``path``, if one is close enough."""
    target: Any = model
    for part in path:
        target = _inner(target, part)
    known = list(target.model_fields) if isinstance(target, type) and issubclass(target, BaseModel) else []
    matches = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _inner(annotation: Any, part: int | str) -> Any:
    """The type found one step down ``annotation`` (a model's field, a list's item, a dict's value,
    a tagged union's member)."""
    annotation = _strip(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return _tagged_member(annotation, part)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(part))
        return _strip(field.annotation) if field is not None else None
    args = get_args(annotation)
    if get_origin(annotation) is list and args:
        return _strip(args[0])
    if get_origin(annotation) is dict and len(args) == 2:
        return _strip(args[1])
    return None


def _strip(annotation: Any) -> Any:
    """``X`` from ``Annotated[X, ...]`` and ``X | None``: the type that holds keys; a union of
    several models (told apart by their ``type``, as messages are) stays whole."""
    if get_origin(annotation) is Annotated:
        return _strip(get_args(annotation)[0])
    if get_origin(annotation) in (Union, types.UnionType):
        members = [_strip(arg) for arg in get_args(annotation) if arg is not type(None)]
        if sum(1 for m in members if _is_model(m)) > 1:
            return annotation
        return next((m for m in members if get_origin(m) or _is_model(m)), None)
    return annotation


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _tagged_member(union: Any, tag: int | str) -> Any:
    """The model of ``union`` whose ``type`` field is ``tag`` (pydantic puts the tag in the location)."""
    for member in get_args(union):
        field = member.model_fields.get("type") if _is_model(member) else None
        if field is not None and field.default == tag:
            return member
    return None
