"""Read one YAML document into plain values that remember where they were written.

Built on PyYAML's event stream (the libyaml parser when present) instead of its
composer and constructor, so that in one pass, with bounded memory and stack:

* every mapping key and value, and every list item, keeps its line and column;
* a key given twice is reported (PyYAML silently keeps the last);
* tags that would construct objects (``!!python/...``) are refused, never run;
* nesting deeper than :data:`MAX_DEPTH` is refused before it can exhaust a stack;
* aliases share the anchored value instead of copying it, so an "alias bomb"
  costs no more memory than the file itself;
* a second document is reported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

import yaml

try:  # libyaml is several times faster; PyYAML's wheels ship it.
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Parser = yaml.SafeLoader

#: Deepest nesting of mappings and lists accepted (a routine needs about 6).
MAX_DEPTH = 32
#: Most YAML events (scalars, starts, ends) accepted in one file.
MAX_EVENTS = 500_000

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE_TAG = f"{_STD}merge"


@dataclass(frozen=True, slots=True)
class Mark:
    """A 1-based line and column in the file."""

    line: int
    column: int


class YMap(dict[str, Any]):
    """A YAML mapping: a ``dict`` that also knows where its keys and values are."""

    __slots__ = ("key_marks", "mark", "value_marks")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}


class YList(list[Any]):
    """A YAML sequence: a ``list`` that also knows where its items are."""

    __slots__ = ("item_marks", "mark")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.item_marks: list[Mark] = []


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong at the YAML level, before the format's own rules."""

    mark: Mark
    message: str
    key: str = ""


def _mark(m: Any) -> Mark:
    return Mark(m.line + 1, m.column + 1)


class _Frame:
    __slots__ = ("container", "key", "key_mark", "merges", "path")

    def __init__(self, container: YMap | YList, path: str) -> None:
        self.container = container
        self.key: str | None = None  # for a mapping: the key waiting for its value
        self.key_mark: Mark | None = None
        self.merges: list[tuple[Any, Mark]] = []
        self.path = path


def _child_path(frame: _Frame) -> str:
    if isinstance(frame.container, YMap):
        key = frame.key or ""
        return f"{frame.path}.{key}" if frame.path else key
    return f"{frame.path}[{len(frame.container) + 1}]"


def read_yaml(text: str) -> tuple[Any, list[YamlProblem]]:
    """Parse ``text`` as a single YAML document.

    Returns:
        The document's value (``None`` for an empty file) and the problems found.
        When a problem stops the parse, the value is ``None``.
    """
    try:
        return _read(text, _Parser)
    except _TooDeep as deep:
        if _Parser is yaml.SafeLoader:
            return None, [_too_deep(deep.mark, "")]
        # libyaml (from PyYAML 6.0.4) refuses deep nesting itself, at its own
        # depth and after scanning ahead. Our limit is far lower, so it is
        # passed before the place libyaml stopped at: the pure-Python parser,
        # reading only the text up to there, finds where. The message is ours,
        # at the same place, whatever PyYAML version does the refusing.
        try:
            _, problems = _read(text[: deep.index], yaml.SafeLoader)
        except _TooDeep:
            problems = []
        if any(p.message.startswith("nested more than") for p in problems):
            return None, problems
        return None, [_too_deep(deep.mark, "")]


class _TooDeep(Exception):
    """The YAML parser itself refused the nesting (before our own limit saw it)."""

    def __init__(self, mark: Mark, index: int) -> None:
        super().__init__(mark)
        self.mark = mark
        self.index = index  #: where in the text the parser stopped


def _too_deep(mark: Mark, path: str) -> YamlProblem:
    return YamlProblem(
        mark,
        f"nested more than {MAX_DEPTH} levels deep; a routine needs only a few levels",
        path,
    )


def _read(text: str, parser: type) -> tuple[Any, list[YamlProblem]]:
    problems: list[YamlProblem] = []
    constructor = yaml.constructor.SafeConstructor()
    loader = parser(text)
    anchors: dict[str, Any] = {}
    stack: list[_Frame] = []
    root: Any = None
    documents = 0
    events = 0

    def place(value: Any, mark: Mark) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame.container
        if isinstance(container, YList):
            container.append(value)
            container.item_marks.append(mark)
            return
        if frame.key is None:  # this value is a key
            if isinstance(value, YMap | YList):
                problems.append(YamlProblem(mark, "a key must be plain text", frame.path))
                frame.key = "\0"
            else:
                frame.key = _key_text(value)
            frame.key_mark = mark
            return
        key, key_mark = frame.key, frame.key_mark
        frame.key = None
        if key == "\0" or key_mark is None:
            return
        if key == "<<\0merge":
            frame.merges.append((value, mark))
            return
        if key in container:
            first = container.key_marks[key]
            problems.append(
                YamlProblem(
                    key_mark,
                    f"given twice in one mapping (first on line {first.line}); keep one",
                    f"{frame.path}.{key}" if frame.path else key,
                )
            )
            return
        container[key] = value
        container.key_marks[key] = key_mark
        container.value_marks[key] = mark

    try:
        while True:
            event = loader.get_event()
            if event is None:
                break
            events += 1
            if events > MAX_EVENTS:
                problems.append(YamlProblem(_mark(event.start_mark), "file is too complex"))
                return None, problems
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problems.append(
                        YamlProblem(
                            _mark(event.start_mark),
                            "a routine file holds one YAML document; remove the second '---' "
                            "and everything after it, or split it into its own file",
                        )
                    )
                    return root, problems
            elif isinstance(event, yaml.AliasEvent):
                mark = _mark(event.start_mark)
                if event.anchor not in anchors:
                    problems.append(YamlProblem(mark, f"alias *{event.anchor} has no anchor"))
                    return None, problems
                place(anchors[event.anchor], mark)
            elif isinstance(event, yaml.ScalarEvent):
                mark = _mark(event.start_mark)
                value = _scalar(loader, constructor, event, mark, problems, stack)
                if event.anchor:
                    anchors[event.anchor] = value
                place(value, mark)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                mark = _mark(event.start_mark)
                path = _child_path(stack[-1]) if stack else ""
                is_map = isinstance(event, yaml.MappingStartEvent)
                std = f"{_STD}map" if is_map else f"{_STD}seq"
                if event.tag not in (None, "!", std):
                    problems.append(_tag_problem(event.tag, mark, path))
                if len(stack) >= MAX_DEPTH:
                    problems.append(_too_deep(mark, path))
                    return None, problems
                container: YMap | YList = YMap(mark) if is_map else YList(mark)
                if event.anchor:
                    anchors[event.anchor] = container
                place(container, mark)
                stack.append(_Frame(container, path))
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                frame = stack.pop()
                if frame.merges:
                    _merge(frame, problems)
    except yaml.MarkedYAMLError as err:
        err_mark = err.problem_mark or err.context_mark
        where = _mark(err_mark) if err_mark is not None else Mark(1, 1)
        if "nesting" in (err.problem or ""):
            index = err_mark.index if err_mark is not None else len(text)
            raise _TooDeep(where, index) from None
        what = err.problem or err.context or "not valid YAML"
        problems.append(YamlProblem(where, f"YAML syntax error: {what}"))
        return None, problems
    except yaml.YAMLError as err:  # e.g. a reader error on a control character
        problems.append(YamlProblem(Mark(1, 1), f"YAML error: {err}"))
        return None, problems
    finally:
        loader.dispose()
    return root, problems


def _key_text(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _tag_problem(tag: str, mark: Mark, path: str) -> YamlProblem:
    shown = tag.replace(_STD, "!!")
    return YamlProblem(
        mark,
        f"YAML tag {shown!r} is not allowed: a routine holds plain text, numbers, "
        "lists and mappings; remove the tag",
        path,
    )


def _scalar(
    loader: Any,
    constructor: yaml.constructor.SafeConstructor,
    event: yaml.ScalarEvent,
    mark: Mark,
    problems: list[YamlProblem],
    stack: list[_Frame],
) -> Any:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    is_key = bool(stack) and isinstance(stack[-1].container, YMap) and stack[-1].key is None
    if tag == _MERGE_TAG and is_key:
        return "<<\0merge"
    if tag not in _SCALAR_TAGS:
        problems.append(_tag_problem(tag, mark, _child_path(stack[-1]) if stack else ""))
        return event.value
    if tag.endswith(("str", "timestamp")):
        return event.value
    node = yaml.ScalarNode(
        tag,
        event.value,
        cast("yaml.error.Mark | None", event.start_mark),
        cast("yaml.error.Mark | None", event.end_mark),
    )
    try:
        return constructor.construct_object(node)
    except (yaml.YAMLError, ValueError) as err:
        problems.append(
            YamlProblem(mark, f"{event.value!r} is not a valid {tag[len(_STD) :]}: {err}")
        )
        return event.value


def _merge(frame: _Frame, problems: list[YamlProblem]) -> None:
    """Apply ``<<: *anchor`` merge keys: explicit keys win, earlier merges win."""
    target = frame.container
    assert isinstance(target, YMap)
    for value, mark in frame.merges:
        sources = value if isinstance(value, YList) else [value]
        for source in sources:
            if not isinstance(source, YMap):
                problems.append(YamlProblem(mark, "'<<' merges only mappings", frame.path))
                continue
            for key, item in source.items():
                if key not in target:
                    target[key] = item
                    target.key_marks[key] = source.key_marks[key]
                    target.value_marks[key] = source.value_marks[key]
