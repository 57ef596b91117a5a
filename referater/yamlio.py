"""YAML loading that remembers where each key stood, so that errors can name file:line."""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import yaml

try:  # the C loader is several times faster at ten thousand files
    _Base: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    _Base = yaml.SafeLoader

_STR = "tag:yaml.org,2002:str"
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


class LineDict(dict):
    """A mapping from YAML that knows the 1-based line of itself and of each of its keys."""

    line: int = 0
    key_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(_Base):  # type: ignore[misc,valid-type]
    pass


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError as exc:
            raise yaml.constructor.ConstructorError(
                None, None, "en nøgle skal være et enkelt ord eller en tekst", key_node.start_mark
            ) from exc
        if key in result:
            raise yaml.constructor.ConstructorError(
                None, None, f"nøglen {key!r} står to gange; slet den ene", key_node.start_mark
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
    return result


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    # An impossible date such as 2024-02-30 stays text, so that validation can name it and its line.
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return loader.construct_scalar(node)


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


class YamlError(Exception):
    def __init__(self, line: int, message: str):
        self.line = line
        self.message = message
        super().__init__(f"{line}: {message}")


# The frontmatter's clock times (the configuration has no such top-level keys).
CLOCK_KEYS = ("time", "end_time")


def load_yaml(text: str, first_line: int = 1, raw_keys: Collection[str] = CLOCK_KEYS) -> Any:
    """Parse YAML; a syntax error becomes YamlError with the line in the file (first_line = line 1 here).

    Anchors and aliases are refused: a few lines of nested aliases (a "billion laughs") expand to more
    values than any later step can walk. A top-level key in raw_keys whose unquoted value YAML would read
    as a number keeps the text as written (`time: 1330` is not 1330 minutes, `9:00` not 540)."""
    # Blank lines in front put every mark at its line in the file, with nothing to shift afterwards.
    loader = _Loader("\n" * (first_line - 1) + text)
    where = "metadatablokken" if first_line > 1 else "denne fil"  # a frontmatter block, or a whole YAML file
    try:
        node = loader.get_single_node()
        if node is not None:
            # No alias without an asterisk, no escaped control character without a backslash: the walk is
            # only for the files that may have one.
            if "*" in text or "\\" in text:
                _check_nodes(node, where)
            if raw_keys:
                _keep_raw(node, raw_keys)
            return loader.construct_document(node)
        return None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + 1
        problem = exc.problem or exc.context or "ukendt fejl"
        if exc.problem and exc.context and exc.context_mark:
            # an unclosed list or quote is noticed lines later: say where it started too
            problem += f" ({exc.context}, der begynder på linje {exc.context_mark.line + 1})"
        raise YamlError(line, f"ugyldig YAML: {problem}; ret linjen (se docs/content-format.md)") from None
    except (yaml.YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise YamlError(first_line, f"ugyldig YAML: {exc}") from None
    finally:
        loader.dispose()


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")


def _check_nodes(root: yaml.Node, where: str) -> None:
    """An alias is a node met twice in the graph; each node is visited once, so a bomb costs its size on
    the page, not its expansion. Walked in document order, to name the line of the first alias: a mapping
    value's key, or the list that holds it (a list item's alias has no mark of its own)."""
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, yaml.Node]] = [(root, root)]
    while stack:
        node, near = stack.pop()
        if id(node) in seen:
            raise YamlError(
                near.start_mark.line + 1,
                f"YAML-ankre og -aliaser (&navn, *navn) er ikke tilladt i {where}; skriv værdien ud",
            )
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for key, value in reversed(node.value):
                stack.append((value, key))
                stack.append((key, key))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, node) for item in reversed(node.value))
        elif isinstance(node, yaml.ScalarNode) and _CONTROL.search(node.value):
            # "\x0b" or "\u0000" in a quoted value: invisible on the page, ill-formed XML in a feed.
            raise YamlError(
                node.start_mark.line + 1,
                "værdien indeholder et usynligt kontroltegn (skrevet som \\x.. eller \\u....); slet det",
            )


def _keep_raw(root: yaml.Node, raw_keys: Collection[str]) -> None:
    if not isinstance(root, yaml.MappingNode):
        return
    for key, value in root.value:
        if (
            isinstance(key, yaml.ScalarNode)
            and key.value in raw_keys
            and isinstance(value, yaml.ScalarNode)
            and not value.style  # plain: None in Python, '' from libyaml
            and value.tag in _NUMBERS
        ):
            value.tag = _STR
