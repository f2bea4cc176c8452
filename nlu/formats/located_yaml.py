"""A YAML reader that remembers the line of every mapping, sequence and string.

The same located values as :mod:`nlu.formats.located_json`, so that ``line_of`` turns a pydantic
error location into the line an author must fix. PyYAML's nodes carry their position; the safe
loader is kept (no arbitrary objects) and only its constructors are wrapped.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError

from nlu.formats.located_json import LocatedDict, LocatedList, LocatedStr


class YamlError(ValueError):
    """Text that is not valid YAML (or repeats a key), with the 1-based line of the problem."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


class _LocatingLoader(yaml.SafeLoader):
    """The safe loader, building located values."""


def _mapping(loader: _LocatingLoader, node: yaml.MappingNode) -> LocatedDict:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        # PyYAML keeps the last of two equal keys silently; an author copying a turn would lose one.
        if key in seen:
            raise ConstructorError(None, None, f"key {key!r} appears twice in this mapping", key_node.start_mark)
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

    Raises YamlError with the line of the problem on invalid YAML or a repeated key.
    """
    try:
        return yaml.load(text, Loader=_LocatingLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        raise YamlError(line, f"invalid YAML: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise YamlError(1, f"invalid YAML: {error}") from None
