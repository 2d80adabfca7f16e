"""Read one YAML document into plain values that remember where they were written.

Built on PyYAML's event stream (the libyaml parser when present) instead of its
composer and constructor, so that in one pass, with bounded memory and stack:

* every mapping key and value, and every list item, keeps its line and column;
* a key given twice is reported (PyYAML silently keeps the last);
* tags that would construct objects (``!!python/...``) are refused, never run;
* nesting deeper than :data:`MAX_DEPTH` is refused before it can exhaust a stack;
* aliases share the anchored value instead of copying it, so an "alias bomb"
  costs no more memory than the file itself;
* a second document is reported;
* every scalar YAML converted (``010``, ``1:30``, ``yes``, ``~``) keeps the text
  it was written as, so the format's text fields take it as written;
* a character YAML cannot read (a NUL, an ESC), and YAML's own syntax errors,
  are reported at their real line and column, in plain words.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import yaml

try:  # libyaml is several times faster; PyYAML's wheels ship it.
    _Parser: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-Python PyYAML
    _Parser = yaml.SafeLoader
#: The safe resolver's implicit tags, by first character (as Resolver.resolve reads them).
_RESOLVERS: dict[str, list[tuple[str, Any]]] = yaml.SafeLoader.yaml_implicit_resolvers

#: Deepest nesting of mappings and lists accepted (a routine needs about 6).
MAX_DEPTH = 32
#: Most YAML events (scalars, starts, ends) accepted in one file.
MAX_EVENTS = 500_000

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_STD}{t}" for t in ("str", "int", "float", "bool", "null", "timestamp")}
_MERGE_TAG = f"{_STD}merge"
#: The reader's own keys: a key that was no text ("\0"), and a '<<' merge.
_SPECIAL_KEYS = ("\0", "<<\0merge")


class Mark(NamedTuple):
    """A 1-based line and column in the file (a tuple: made once per value, cheaply)."""

    line: int
    column: int


class YMap(dict[str, Any]):
    """A YAML mapping: a ``dict`` that also knows where its keys and values are.

    Attributes:
        raws: for each value YAML converted from text (a number, a yes/no, a
            null), the text as written.
    """

    __slots__ = ("key_marks", "mark", "raws", "value_marks")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.key_marks: dict[str, Mark] = {}
        self.value_marks: dict[str, Mark] = {}
        self.raws: dict[str, str] = {}


class YList(list[Any]):
    """A YAML sequence: a ``list`` that also knows where its items are.

    Attributes:
        item_raws: by index, the text as written of each item YAML converted.
    """

    __slots__ = ("item_marks", "item_raws", "mark")

    def __init__(self, mark: Mark) -> None:
        super().__init__()
        self.mark = mark
        self.item_marks: list[Mark] = []
        self.item_raws: dict[int, str] = {}


@dataclass(frozen=True)
class YamlProblem:
    """Something wrong at the YAML level, before the format's own rules."""

    mark: Mark
    message: str
    key: str = ""


def _mark(m: Any) -> Mark:
    return Mark(m.line + 1, m.column + 1)


_STR_TAG = f"{_STD}str"
_MAP_TAG = f"{_STD}map"
_SEQ_TAG = f"{_STD}seq"
_START_EVENTS = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_END_EVENTS = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
_INT_TAG = f"{_STD}int"
_BOOL_TAG = f"{_STD}bool"
_NULL_TAG = f"{_STD}null"
_BOOLS = yaml.constructor.SafeConstructor.bool_values
#: A character no number, yes/no, null or date of YAML 1.1 holds: a plain
#: scalar with one (``30s``, ``5 min``) is text without asking the resolver.
_TEXT_ONLY_RE = re.compile(r"[^0-9_.:+\-eExXa-fA-FoObBtTzZnNlLuUiIsSyYrRwW~<=!&* \t]")
#: Longest run of digits read as a whole number without the constructor
#: (Python refuses int() of more than 4,300 digits: the constructor reports it).
_FAST_DIGITS = 18


class _Frame:
    __slots__ = ("container", "key", "key_mark", "merges", "parent", "slot")

    def __init__(self, container: YMap | YList, parent: _Frame | None, slot: str | int) -> None:
        self.container = container
        self.key: str | None = None  # for a mapping: the key waiting for its value
        self.key_mark: Mark | None = None
        self.merges: list[tuple[Any, Mark]] = []
        # Where it is, as its parent and its key (or 1-based index) there: the
        # path text is only made for a problem, not for every container.
        self.parent = parent
        self.slot = slot

    @property
    def path(self) -> str:
        if self.parent is None:
            return ""
        base = self.parent.path
        if isinstance(self.slot, int):
            return f"{base}[{self.slot}]"
        return f"{base}.{self.slot}" if base else self.slot


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
    unreadable = _unreadable(text)
    if unreadable is not None:
        return None, [unreadable]
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


#: What YAML can read (its "printable" set); anything else stops the parser.
_UNREADABLE_RE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_CHAR_NAMES = {0: "NUL", 0x1B: "ESC", 0x7F: "DEL", 0xFEFF: "BOM"}


def _unreadable(text: str) -> YamlProblem | None:
    """The first character YAML cannot read, located, or ``None``."""
    found = _UNREADABLE_RE.search(text)
    if found is None:
        return None
    return YamlProblem(_offset_mark(text, found.start()), _char_message(found.group()))


def _char_message(char: str) -> str:
    code = ord(char)
    name = _CHAR_NAMES.get(code)
    what = f"U+{code:04X}" + (f" ({name})" if name else "")
    kind = "control character" if code < 0x20 or 0x7F <= code <= 0x9F else "character"
    return f"{kind} {what} is not allowed in a routine file; remove it"


def _offset_mark(text: str, offset: int) -> Mark:
    line_start = text.rfind("\n", 0, offset) + 1
    return Mark(text.count("\n", 0, offset) + 1, offset - line_start + 1)


def _read(text: str, parser: type) -> tuple[Any, list[YamlProblem]]:
    problems: list[YamlProblem] = []
    constructor = yaml.constructor.SafeConstructor()
    loader = parser(text)
    anchors: dict[str, tuple[Any, str | None]] = {}
    stack: list[_Frame] = []
    root: Any = None
    documents = 0

    def place(value: Any, mark: Mark, raw: str | None = None) -> None:
        nonlocal root
        if not stack:
            root = value
            return
        frame = stack[-1]
        container = frame.container
        if isinstance(container, YList):
            if raw is not None:
                container.item_raws[len(container)] = raw
            container.append(value)
            container.item_marks.append(mark)
            return
        if frame.key is None:  # this value is a key
            if isinstance(value, YMap | YList):
                problems.append(YamlProblem(mark, "a key must be plain text", frame.path))
                frame.key = "\0"
            else:
                # as written: 'on:' is the key "on", not "true"
                frame.key = raw if raw is not None else _key_text(value)
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
        if raw is not None:
            container.raws[key] = raw

    # Scalars are most of the events: the common case (plain text, or quoted,
    # placed in a mapping or a list) runs inline, without a call per scalar.
    get_event = loader.get_event
    scalar_event = yaml.ScalarEvent
    resolvers = _RESOLVERS
    new_mark = tuple.__new__
    try:
        for events, event in enumerate(iter(get_event, None), 1):
            if events > MAX_EVENTS:
                problems.append(YamlProblem(_mark(event.start_mark), "file is too complex"))
                return None, problems
            if type(event) is scalar_event:
                start: Any = event.start_mark
                mark = new_mark(Mark, (start.line + 1, start.column + 1))
                written = event.value
                if event.tag is None and not event.anchor and stack:
                    value: Any = written
                    if (
                        event.implicit[0]
                        and written[:1] in resolvers
                        and not _TEXT_ONLY_RE.search(written)
                    ):
                        if (
                            written.isdigit()
                            and written.isascii()
                            and len(written) <= _FAST_DIGITS
                            and (written[0] != "0" or len(written) == 1)
                        ):
                            value = int(written)  # a plain whole number, as the resolver would say
                        elif _implicit_tag(written) != _STR_TAG:  # 30s, 1m30s: text after all
                            place(*_scalar_raw(loader, constructor, event, mark, problems, stack))
                            continue
                    frame = stack[-1]
                    into = frame.container
                    if type(into) is YList:
                        if value is not written:
                            into.item_raws[len(into)] = written
                        into.append(value)
                        into.item_marks.append(mark)
                        continue
                    key = frame.key
                    if key is None:
                        frame.key = written  # a key as written
                        frame.key_mark = mark
                        continue
                    key_mark = frame.key_mark
                    if (
                        not isinstance(into, YMap)
                        or key_mark is None
                        or key in into
                        or key in _SPECIAL_KEYS
                    ):
                        place(value, mark, None if value is written else written)
                        continue
                    frame.key = None
                    into[key] = value
                    into.key_marks[key] = key_mark
                    into.value_marks[key] = mark
                    if value is not written:
                        into.raws[key] = written
                    continue
                value = _scalar(loader, constructor, event, mark, problems, stack)
                raw = None if type(value) is str else written
                if event.anchor:
                    anchors[event.anchor] = (value, raw)
                place(value, mark, raw)
            elif type(event) in _END_EVENTS:
                frame = stack.pop()
                if frame.merges:
                    _merge(frame, problems)
            elif type(event) in _START_EVENTS:
                start = event.start_mark
                mark = new_mark(Mark, (start.line + 1, start.column + 1))
                is_map = type(event) is yaml.MappingStartEvent
                parent = stack[-1] if stack else None
                slot: str | int = ""
                if parent is not None:
                    into = parent.container
                    slot = len(into) + 1 if type(into) is YList else parent.key or ""
                tag = event.tag
                if tag is not None and tag != "!" and tag != (_MAP_TAG if is_map else _SEQ_TAG):
                    path = _Frame(YList(mark), parent, slot).path
                    problems.append(_tag_problem(tag, mark, path))
                if len(stack) >= MAX_DEPTH:
                    problems.append(_too_deep(mark, _Frame(YList(mark), parent, slot).path))
                    return None, problems
                container: YMap | YList = YMap(mark) if is_map else YList(mark)
                if event.anchor:
                    anchors[event.anchor] = (container, None)
                # place(container, mark), inlined for an item and a new key's value
                if parent is None:
                    place(container, mark)
                elif isinstance(into, YMap):
                    key, key_mark = parent.key, parent.key_mark
                    if key is None or key_mark is None or key in into or key in _SPECIAL_KEYS:
                        place(container, mark)
                    else:
                        parent.key = None
                        into[key] = container
                        into.key_marks[key] = key_mark
                        into.value_marks[key] = mark
                else:
                    into.append(container)
                    into.item_marks.append(mark)
                stack.append(_Frame(container, parent, slot))
            elif isinstance(event, yaml.DocumentStartEvent):
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
                place(*anchors[event.anchor][:1], mark, anchors[event.anchor][1])
    except yaml.MarkedYAMLError as err:
        err_mark = err.problem_mark or err.context_mark
        where = _mark(err_mark) if err_mark is not None else Mark(1, 1)
        if "nesting" in (err.problem or ""):
            index = err_mark.index if err_mark is not None else len(text)
            raise _TooDeep(where, index) from None
        problems.append(syntax_problem(text, err))
        return None, problems
    except yaml.reader.ReaderError as err:  # a character YAML cannot read
        offset = min(max(err.position, 0), len(text))
        char = chr(err.character) if isinstance(err.character, int) else str(err.character)
        problems.append(YamlProblem(_offset_mark(text, offset), _char_message(char[:1] or "?")))
        return None, problems
    except yaml.YAMLError as err:
        problems.append(YamlProblem(Mark(1, 1), f"not valid YAML: {err}"))
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


def _implicit_tag(text: str) -> str:
    """The tag YAML 1.1 gives a plain scalar (PyYAML's ``Resolver.resolve``, inlined)."""
    if len(text) <= _CACHED_TEXT:
        return _implicit_tag_cached(text)
    return _resolve(text)


def _resolve(text: str) -> str:
    for candidate, regexp in _RESOLVERS.get(text[:1], ()):
        if regexp.match(text):
            return str(candidate)
    return _STR_TAG


#: Longest plain scalar whose tag is remembered: a library writes the same
#: few durations (30s, 1m30s) many times; a long text is not worth keeping.
_CACHED_TEXT = 40
_implicit_tag_cached = functools.lru_cache(maxsize=2048)(_resolve)


def _scalar_raw(
    loader: Any,
    constructor: yaml.constructor.SafeConstructor,
    event: yaml.ScalarEvent,
    mark: Mark,
    problems: list[YamlProblem],
    stack: list[_Frame],
) -> tuple[Any, Mark, str | None]:
    """A scalar's value, its place, and its text as written when YAML converted it."""
    value = _scalar(loader, constructor, event, mark, problems, stack)
    return value, mark, None if type(value) is str else event.value


def _scalar(
    loader: Any,
    constructor: yaml.constructor.SafeConstructor,
    event: yaml.ScalarEvent,
    mark: Mark,
    problems: list[YamlProblem],
    stack: list[_Frame],
) -> Any:
    text: str = event.value
    tag = event.tag
    if tag is None or tag == "!":
        tag = _implicit_tag(text) if event.implicit[0] else _STR_TAG
    if tag == _STR_TAG:
        return text
    if tag == _INT_TAG and text.isdigit() and len(text) <= _FAST_DIGITS and text.isascii():
        if text[0] != "0" or len(text) == 1:  # 010 is YAML 1.1's octal: the constructor's
            return int(text)
    elif tag == _BOOL_TAG:
        return _BOOLS[text.lower()]
    elif tag == _NULL_TAG:
        return None
    is_key = bool(stack) and isinstance(stack[-1].container, YMap) and stack[-1].key is None
    if tag == _MERGE_TAG and is_key:
        return "<<\0merge"
    if tag not in _SCALAR_TAGS:
        problems.append(_tag_problem(tag, mark, _child_path(stack[-1]) if stack else ""))
        return text
    if tag.endswith(("str", "timestamp")):
        return text
    node = yaml.ScalarNode(tag, text, None, None)  # its errors are located by the event
    try:
        return constructor.construct_object(node)
    except (yaml.YAMLError, ValueError) as err:
        kind = tag[len(_STD) :]
        shown = text if len(text) <= 24 else f"{text[:11]}…{text[-11:]}"
        # Python's own words ("Exceeds the limit (4300 digits) ...") mean nothing here.
        why = "far too large a number" if "digits" in str(err) else f"not a valid {kind}"
        path = _child_path(stack[-1]) if stack else ""
        problems.append(YamlProblem(mark, f"{shown!r} is {why}", path))
        return text


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
                    if key in source.raws:
                        target.raws[key] = source.raws[key]


# -- YAML's syntax errors, in plain words ------------------------------------

_KEY_LINE_RE = re.compile(r"^\s*(?:-\s+)?[^\s#'\"][^#]*?:(?:\s|$)")


def syntax_problem(text: str, err: yaml.MarkedYAMLError) -> YamlProblem:
    """Say what PyYAML's (or libyaml's) syntax error means, at the line to fix."""
    problem = err.problem or ""
    context = err.context or ""
    at = err.problem_mark
    where = _mark(at) if at is not None else Mark(1, 1)
    lines = text.split("\n")
    line = lines[where.line - 1] if 0 < where.line <= len(lines) else ""
    char = line[where.column - 1 : where.column]
    ctx_mark = _mark(err.context_mark) if err.context_mark is not None else where

    if char == "\t" or "tab" in problem:
        return YamlProblem(where, "tabs can't indent YAML; use spaces")
    if "cannot start any token" in problem:
        return YamlProblem(
            where,
            f"a value cannot start with {char or 'this character'!r}; put the text in quotes",
        )
    if "mapping values are not allowed" in problem:
        return _stray_colon(lines, where)
    if "could not find expected ':'" in problem:
        return _no_colon(lines, ctx_mark.line)
    if "quoted scalar" in context and "end of stream" in problem:
        return YamlProblem(ctx_mark, "this quoted text has no closing quote")
    if "escape" in problem:
        return YamlProblem(
            where,
            "unknown escape after a backslash in double quotes; write \\\\ for a backslash, "
            "or use single quotes",
        )
    if "flow node" in context:
        return YamlProblem(where, "a '[' or '{' above is not closed, or a value is missing here")
    if "alias" in context or "anchor" in context:
        return YamlProblem(
            ctx_mark, "'*' and '&' start YAML aliases; put text that starts with them in quotes"
        )
    if "flow sequence" in context or "flow mapping" in context:
        opening, closing = ("[", "]") if "sequence" in context else ("{", "}")
        return YamlProblem(
            ctx_mark,
            f"this {opening!r} is not closed by {closing!r}, or an item before it lacks a ','",
        )
    if "block" in context or "expected key" in problem or "indicator" in problem:
        first = len(line) - len(line.lstrip(" ")) + 1
        if where.column > first:
            return YamlProblem(
                where, "unexpected text after a value; put the whole value in quotes"
            )
        return YamlProblem(
            where,
            "this line's indentation does not match the lines above: the keys of one "
            "mapping, and the items of one list, start in the same column",
        )
    return YamlProblem(where, f"not valid YAML: {problem or context or 'syntax error'}")


def _stray_colon(lines: list[str], where: Mark) -> YamlProblem:
    """A ':' YAML did not expect: text that needs quotes, a missing ':' above, or indentation."""
    line = lines[where.line - 1] if where.line <= len(lines) else ""
    if _KEY_LINE_RE.match(line[: where.column - 1]):
        return YamlProblem(
            where, "text containing ': ' must be in quotes: key: \"text: more text\""
        )
    above = where.line - 1
    while above >= 1 and (not lines[above - 1].strip() or lines[above - 1].lstrip()[0] == "#"):
        above -= 1
    if above >= 1 and not _KEY_LINE_RE.match(lines[above - 1]) and ":" not in lines[above - 1]:
        return _no_colon(lines, above)
    first = len(line) - len(line.lstrip(" ")) + 1
    return YamlProblem(
        Mark(where.line, first),
        "indented more than the line above: the keys of one mapping start in the same column",
    )


def _no_colon(lines: list[str], number: int) -> YamlProblem:
    line = lines[number - 1] if 0 < number <= len(lines) else ""
    stripped = line.lstrip(" ")
    column = len(line) - len(stripped) + 1
    if stripped.startswith("- "):
        column += 2
    return YamlProblem(
        Mark(number, column), "this line has no ':' after its key; write 'key: value'"
    )
