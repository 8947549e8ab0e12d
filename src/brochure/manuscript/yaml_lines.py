"""YAML read safely, with the line of every key and list item: errors and warnings name them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from brochure.core.diagnostics import Location, error


class Mapping(dict):
    """A YAML mapping that remembers the line of each key."""

    lines: dict[Any, int]

    def __init__(self) -> None:
        super().__init__()
        self.lines = {}


class Sequence(list):
    """A YAML list that remembers the line of each item."""

    lines: list[int]

    def __init__(self, items: list[Any], lines: list[int]) -> None:
        super().__init__(items)
        self.lines = lines


@dataclass
class YamlDocument:
    values: Mapping
    path: Path
    first_line: int = 1  # line of ``path`` where the YAML text starts
    lines: dict[str, int] = field(init=False)

    def __post_init__(self) -> None:
        self.lines = dict(self.values.lines)

    def location(self, key: str | None = None) -> Location:
        line = self.lines.get(key) if key else None
        return Location(self.path, (line or 1) + self.first_line - 1)

    def at(self, line: int | None) -> Location:
        """The location of a line of the YAML text (of a nested key, a list's item)."""
        return Location(self.path, line + self.first_line - 1) if line else self.location()


class _SafeLineLoader(yaml.SafeLoader):
    """Safe loading only (no object construction), with duplicate keys refused."""


def _construct_mapping(loader: _SafeLineLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | float | bool | dt.date) or key is None:
            raise _YamlProblem(f"a mapping key must be text, not {type(key).__name__}", line)
        if key in result:
            raise _YamlProblem(
                f"duplicate key '{key}' (first given on line {result.lines[key]})", line
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.lines[key] = line
    return result


def _construct_sequence(loader: _SafeLineLoader, node: yaml.SequenceNode) -> Sequence:
    return Sequence([loader.construct_object(child, deep=True) for child in node.value],
                    [child.start_mark.line + 1 for child in node.value])


_SURROGATE_PAIR_RE = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _construct_text(loader: _SafeLineLoader, node: yaml.ScalarNode) -> str:
    """A YAML string, with the UTF-16 surrogate pairs of its escapes ("\\ud83c\\udf89")
    joined into the one character they stand for."""
    value = yaml.SafeLoader.construct_yaml_str(loader, node)
    return _SURROGATE_PAIR_RE.sub(
        lambda pair: pair.group().encode("utf-16", "surrogatepass").decode("utf-16"), value)


def _construct_timestamp(loader: _SafeLineLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise _YamlProblem(f"impossible date '{node.value}': {exc}", node.start_mark.line + 1) from None


_SafeLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_SafeLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_SafeLineLoader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)
_SafeLineLoader.add_constructor("tag:yaml.org,2002:str", _construct_text)


class _YamlProblem(Exception):
    def __init__(self, message: str, line: int):
        super().__init__(message)
        self.line = line


def parse_yaml(text: str, path: Path, first_line: int = 1) -> YamlDocument:
    """Parse YAML safely; any problem becomes an error at its line in ``path``."""

    def at(line: int) -> Location:
        return Location(path, line + first_line - 1)

    try:
        values = yaml.load(text, Loader=_SafeLineLoader)
    except _YamlProblem as exc:
        raise error(str(exc), at(exc.line)) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        column = mark.column + 1 if mark else None
        problem = exc.problem or exc.context or "invalid YAML"
        hint = None
        if "could not determine a constructor" in str(exc):
            problem = "YAML tags that build objects are not allowed"
            hint = "remove the '!' tag; metadata holds only text, numbers, dates and lists"
        location = Location(path, line + first_line - 1, column)
        raise error(f"invalid YAML: {problem}", location, hint) from None
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", at(1)) from None
    if values is None:
        values = Mapping()
    if not isinstance(values, Mapping):
        raise error("metadata must be a mapping of keys to values", at(1),
                    "write one 'key: value' per line, e.g. 'title: My pamphlet'")
    return YamlDocument(values, path, first_line)
