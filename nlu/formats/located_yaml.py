"""A YAML reader that remembers the line of every mapping, sequence and string.

The same located values as :mod:`nlu.formats.located_json`, so that ``line_of`` turns a pydantic
error location into the line an author must fix. PyYAML's nodes carry their position; the safe
loader is kept (no arbitrary objects) and only its constructors are wrapped.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError

from nlu.errors import Problem
from nlu.formats.located_json import LocatedDict, LocatedList, LocatedStr
from nlu.formats.reading import MAX_NESTING, nesting_problem
from nlu.messages import ParamValue, render


class YamlError(ValueError):
    """Text that is not valid YAML (or repeats a key), with the 1-based line of the problem."""

    def __init__(self, line: int, code: str, **params: ParamValue) -> None:
        super().__init__(render(code, params, "en"))
        self.line = line
        self.code = code
        self.params = params

    def problem(self, file: str) -> Problem:
        """This error as a problem of ``file``."""
        return Problem(file=file, line=self.line, code=self.code, params=self.params)


class _RepeatedKey(ConstructorError):  # type: ignore[misc]  # PyYAML ships no type hints
    """A key given twice in one mapping (PyYAML would keep the last silently)."""

    def __init__(self, key: object, mark: yaml.Mark) -> None:
        super().__init__(None, None, f"key {key!r} appears twice in this mapping", mark)
        self.key = key


class _LocatingLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML ships no type hints
    """The safe loader, building located values."""


def _mapping(loader: _LocatingLoader, node: yaml.MappingNode) -> LocatedDict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        # PyYAML keeps the last of two equal keys silently; an author copying a turn would lose one.
        if key in seen:
            raise _RepeatedKey(key, key_node.start_mark)
        seen.add(key)
    located = LocatedDict(loader.construct_mapping(node, deep=True))
    located.line = node.start_mark.line + 1
    return located


def _sequence(loader: _LocatingLoader, node: yaml.SequenceNode) -> LocatedList:
    located = LocatedList(loader.construct_sequence(node, deep=True))
    located.line = node.start_mark.line + 1
    return located


def _string(loader: _LocatingLoader, node: yaml.ScalarNode) -> LocatedStr:
    located = LocatedStr(loader.construct_scalar(node))
    located.line = node.start_mark.line + 1
    return located


_LocatingLoader.add_constructor("tag:yaml.org,2002:map", _mapping)
_LocatingLoader.add_constructor("tag:yaml.org,2002:seq", _sequence)
_LocatingLoader.add_constructor("tag:yaml.org,2002:str", _string)


def loads_located_yaml(text: str) -> Any:
    """Parse one YAML document; mappings, sequences and strings carry a ``line`` attribute.

    Raises YamlError with the line of the problem on invalid YAML, a repeated key, or nesting
    deeper than MAX_NESTING (PyYAML recurses once per level).
    """
    if (too_deep := nesting_problem(text, "", "yaml")) is not None:
        raise YamlError(too_deep.line, too_deep.code, **too_deep.params)
    try:
        return yaml.load(text, Loader=_LocatingLoader)
    except RecursionError:
        # Nesting by indentation alone, which the bracket count cannot see: no line to show.
        raise YamlError(1, "too-deep", limit=MAX_NESTING) from None
    except _RepeatedKey as error:
        line = error.problem_mark.line + 1 if error.problem_mark else 1
        raise YamlError(line, "yaml-duplicate-key", key=str(error.key)) from None
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, "invalid-yaml", error=str(error.problem or error.context)) from None
    except yaml.YAMLError as error:
        raise YamlError(1, "invalid-yaml", error=str(error)) from None
