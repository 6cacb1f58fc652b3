"""Parse JDL text (grammar ``jdl.lark``, LALR(1)) into a :class:`JdlDocument`."""

from __future__ import annotations

import re
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput

from backendgen.errors import UserInputError
from backendgen.questions.jdl.model import (
    JdlAnnotation,
    JdlBlock,
    JdlDocument,
    JdlEntity,
    JdlEnum,
    JdlEnumValue,
    JdlField,
    JdlOption,
    JdlRelationship,
    JdlSide,
    JdlValidation,
)
from backendgen.questions.jdl.tables import _GAP, _USE_VALUES, MAX_DESCRIPTION

_DOCS: ContextVar[list[Token] | None] = ContextVar("jdl_docs", default=None)


def _collect_doc(token: Token) -> Token:
    """Lexer callback: remember a ``/** */`` comment for the current parse."""
    docs = _DOCS.get()
    if docs is not None:
        docs.append(token)
    return token


@cache
def _parser() -> Lark:
    """Build the LALR parser from ``jdl.lark`` once."""
    grammar = resources.files(__package__ or "backendgen.questions.jdl").joinpath("jdl.lark")
    return Lark(
        grammar.read_text("utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        lexer_callbacks={"DOC": _collect_doc},
    )


def _syntax_error(error: UnexpectedInput, origin: str) -> UserInputError:
    """Turn a lark error into one ``file:line: message`` line."""
    if isinstance(error, UnexpectedCharacters):
        what = f"character {error.char!r}"
    elif isinstance(error, UnexpectedEOF):
        what = "end of file"
    else:
        token = getattr(error, "token", None)
        what = "end of file" if token is None or token.type == "$END" else f"{str(token)!r}"
    line = max(error.line, 1)
    return UserInputError(
        f"{origin}:{line}: syntax error at column {max(error.column, 1)}: unexpected {what}"
    )


class _Docs:
    """The ``/** */`` comments of one file and the declarations they belong to."""

    def __init__(self, text: str, tokens: list[Token]) -> None:
        self._text = text
        self._leading: list[Token] = []
        self._trailing: list[Token] = []
        for token in tokens:
            line_start = text.rfind("\n", 0, token.start_pos or 0) + 1
            before = text[line_start : token.start_pos].strip()
            (self._trailing if before else self._leading).append(token)

    def leading(self, start: int) -> str:
        """Return the doc comment right before the declaration starting at ``start``."""
        before = [t for t in self._leading if (t.end_pos or 0) <= start]
        if before and _GAP.fullmatch(self._text, before[-1].end_pos or 0, start):
            return _clean_doc(str(before[-1]))
        return ""

    def trailing(self, line: int, end: int) -> str:
        """Return a doc comment on ``line`` after position ``end`` (``name String /** x */``)."""
        for token in self._trailing:
            if token.line == line and (token.start_pos or 0) >= end:
                return _clean_doc(str(token))
        return ""


def _clean_doc(raw: str) -> str:
    """Strip comment markers and collapse whitespace; cut to the spec's description length."""
    body = raw.removeprefix("/**").removesuffix("*/")
    lines = [re.sub(r"^\s*\*+ ?", "", line) for line in body.splitlines()]
    text = " ".join(" ".join(lines).split())
    return text if len(text) <= MAX_DESCRIPTION else text[: MAX_DESCRIPTION - 3] + "..."


def _tokens(tree: Tree[Token], *types: str) -> list[Token]:
    """Tokens directly under ``tree``, optionally of the given types."""
    return [c for c in tree.children if isinstance(c, Token) and (not types or c.type in types)]


def _trees(tree: Tree[Token], name: str) -> list[Tree[Token]]:
    """Subtrees directly under ``tree`` called ``name``."""
    return [c for c in tree.children if isinstance(c, Tree) and c.data == name]


def _first(tree: Tree[Token], name: str) -> Tree[Token] | None:
    """The first subtree directly under ``tree`` called ``name``."""
    found = _trees(tree, name)
    return found[0] if found else None


def _unquote(token: Token) -> str:
    """The text of a WORD or STRING token without quotes."""
    text = str(token)
    if token.type == "STRING":
        return re.sub(r"\\(.)", r"\1", text[1:-1])
    return text


def _start(tree: Tree[Token]) -> int:
    return int(getattr(tree.meta, "start_pos", 0))


def _line(tree: Tree[Token]) -> int:
    return int(getattr(tree.meta, "line", 1))


class _TreeReader:
    """Turns lark's parse tree into a :class:`JdlDocument`."""

    def __init__(self, docs: _Docs) -> None:
        self._docs = docs
        self.document = JdlDocument()

    def read(self, tree: Tree[Token]) -> JdlDocument:
        """Read every top-level statement."""
        handlers: dict[str, Callable[[Tree[Token]], None]] = {
            "constant_decl": self._constant,
            "entity_decl": self._entity,
            "enum_decl": self._enum,
            "relationship_decl": self._relationships,
            "option_decl": lambda t: self.document.options.append(self._option(t)),
            "use_decl": lambda t: self.document.options.extend(self._use(t)),
            "application_decl": lambda t: self.document.applications.append(self._block(t)),
            "deployment_decl": lambda t: self.document.deployments.append(self._block(t)),
        }
        for statement in tree.children:
            if isinstance(statement, Tree):
                handlers[str(statement.data)](statement)
        return self.document

    def _constant(self, tree: Tree[Token]) -> None:
        name, value = _tokens(tree)
        self.document.constants.append((str(name), str(value), _line(tree)))

    def _annotations(self, tree: Tree[Token]) -> tuple[JdlAnnotation, ...]:
        found = []
        for node in _trees(tree, "annotation"):
            value = _first(node, "annotation_value")
            text = _unquote(_tokens(value)[0]) if value is not None else None
            found.append(JdlAnnotation(str(_tokens(node)[0]), text, _line(node)))
        return tuple(found)

    def _entity(self, tree: Tree[Token]) -> None:
        table = _first(tree, "table_name")
        body = _first(tree, "entity_body")
        fields = tuple(self._field(f) for f in _trees(body, "field")) if body else ()
        self.document.entities.append(
            JdlEntity(
                name=str(_tokens(tree, "NAME")[0]),
                table=str(_tokens(table)[0]) if table is not None else None,
                fields=fields,
                annotations=self._annotations(tree),
                doc=self._docs.leading(_start(tree)),
                line=_line(tree),
            )
        )

    def _field(self, tree: Tree[Token]) -> JdlField:
        name, type_name = _tokens(tree, "NAME")
        validations = tuple(self._validation(v) for v in _trees(tree, "validation"))
        end_line = int(getattr(tree.meta, "end_line", _line(tree)))
        end = int(getattr(tree.meta, "end_pos", 0))
        doc = self._docs.leading(_start(tree)) or self._docs.trailing(end_line, end)
        return JdlField(
            str(name), str(type_name), validations, self._annotations(tree), doc, _line(tree)
        )

    @staticmethod
    def _validation(tree: Tree[Token]) -> JdlValidation:
        head = _tokens(tree)[0]
        line = head.line or 1
        if head.type in ("REQUIRED", "UNIQUE"):
            return JdlValidation(str(head).lower(), None, line)
        kind = str(head).rstrip("( \t\r\n")
        if kind.startswith("pattern"):
            value = _tokens(tree)[1]
            regex = str(value)[1:-1] if value.type == "REGEX" else _unquote(value)
            return JdlValidation("pattern", regex, line)
        bound = _first(tree, "bound")
        return JdlValidation(kind, str(_tokens(bound)[0]) if bound else None, line)

    def _enum(self, tree: Tree[Token]) -> None:
        values = []
        for item in _trees(tree, "enum_item"):
            display = _first(item, "enum_display")
            text = _unquote(_tokens(display)[0]) if display is not None else None
            values.append(JdlEnumValue(str(_tokens(item)[0]), text, _line(item)))
        self.document.enums.append(
            JdlEnum(
                name=str(_tokens(tree)[0]),
                values=tuple(values),
                doc=self._docs.leading(_start(tree)),
                line=_line(tree),
            )
        )

    def _relationships(self, tree: Tree[Token]) -> None:
        kind = str(_tokens(tree)[0])
        for entry in _trees(tree, "rel_entry"):
            source, target = (self._side(s) for s in _trees(entry, "rel_side"))
            option = _first(entry, "rel_with")
            self.document.relationships.append(
                JdlRelationship(
                    kind=kind,
                    source=source,
                    target=target,
                    option=str(_tokens(option)[0]) if option is not None else None,
                    annotations=self._annotations(entry),
                    doc=self._docs.leading(_start(entry)),
                    line=_line(entry),
                )
            )

    @staticmethod
    def _side(tree: Tree[Token]) -> JdlSide:
        entity = str(_tokens(tree)[0])
        detail = _first(tree, "rel_field")
        if detail is None:
            return JdlSide(entity)
        names = _tokens(detail, "NAME")
        return JdlSide(
            entity=entity,
            field=str(names[0]),
            display=str(names[1]) if len(names) > 1 else None,
            required=bool(_tokens(detail, "REQUIRED")),
        )

    @staticmethod
    def _selection(tree: Tree[Token] | None) -> tuple[str, ...]:
        if tree is None:
            return ()
        return tuple("*" if t.type in ("STAR", "ALL") else str(t) for t in _tokens(tree))

    def _option(self, tree: Tree[Token]) -> JdlOption:
        keyword_tree = _first(tree, "option_keyword")
        name = str(_tokens(keyword_tree)[0]) if keyword_tree is not None else ""
        words = _tokens(tree, "WORD")
        return JdlOption(
            name=name,
            entities=self._selection(_first(tree, "selection")),
            value=str(words[0]) if words else None,
            excluded=self._selection(_first(tree, "exclusion")),
            line=_line(tree),
        )

    def _use(self, tree: Tree[Token]) -> list[JdlOption]:
        entities = self._selection(_first(tree, "selection"))
        excluded = self._selection(_first(tree, "exclusion"))
        return [
            JdlOption(
                name=_USE_VALUES.get(str(word), f"use {word}"),
                entities=entities,
                value=str(word),
                excluded=excluded,
                line=word.line or _line(tree),
            )
            for word in _tokens(tree, "WORD")
        ]

    def _block(self, tree: Tree[Token]) -> JdlBlock:
        entries = _trees(tree, "config_entry")
        for config in _trees(tree, "config_block"):
            entries += _trees(config, "config_entry")
        listed = _first(tree, "app_entities")
        options = [self._option(o) for o in _trees(tree, "option_decl")]
        for use in _trees(tree, "use_decl"):
            options += self._use(use)
        return JdlBlock(
            kind=str(tree.data).removesuffix("_decl"),
            config=dict(_config_entry(e) for e in entries),
            entities=self._selection(_first(listed, "selection")) if listed else (),
            options=tuple(options),
            line=_line(tree),
            excluded=self._selection(_first(listed, "exclusion")) if listed else (),
        )


def _config_entry(tree: Tree[Token]) -> tuple[str, str | list[str]]:
    """Read ``key value`` where the value is a word, a string or a ``[list]``."""
    key = str(tree.children[0])
    value = tree.children[1]
    if isinstance(value, Tree):
        return key, [_unquote(t) for t in _tokens(value)]
    return key, _unquote(value) if isinstance(value, Token) else ""


def parse_jdl(text: str, origin: str = "<jdl>") -> JdlDocument:
    """Parse JDL source into a :class:`JdlDocument` (no mapping, no semantic checks).

    Args:
        text: The JDL source.
        origin: The file name used in error messages.

    Returns:
        The declarations of the file.

    Raises:
        UserInputError: If the text is not valid JDL (``file:line: ...``).
    """
    docs: list[Token] = []
    reset = _DOCS.set(docs)
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as error:
        raise _syntax_error(error, origin) from None
    finally:
        _DOCS.reset(reset)
    return _TreeReader(_Docs(text, docs)).read(tree)
