"""What is wrong with a layer file, in words a planner can act on (German, then English).

Why apart from the loader: turning tomllib's and pydantic's messages into sentences that
name the file, the key as a dotted path (``style.colors.problem``), what is wrong and how to
fix it is most of the catalogue's code, and none of it is about which layers there are.
"""

import difflib
import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from mapservice.catalog.model import Layer, show_value


@dataclass(frozen=True)
class CatalogProblem:
    """One mistake in one file; `field` is a dotted key path, `line` is known for syntax errors."""

    file: str
    field: str | None
    message_de: str
    message_en: str
    line: int | None = None
    column: int | None = None

    def text(self, lang: str = "de") -> str:
        """'file, Zeile 3, Spalte 7: Feld "x": reason' in German, or in English for "en"."""
        de = not lang.lower().startswith("en")
        words = ("Zeile", "Spalte", "Feld") if de else ("line", "column", "field")
        numbers = zip(words[:2], (self.line, self.column), strict=True)
        spots = [f"{word} {n}" for word, n in numbers if n is not None]
        where = ", ".join([self.file, *spots])
        where += f': {words[2]} "{self.field}"' if self.field is not None else ""
        return f"{where}: {self.message_de if de else self.message_en}"


class CatalogError(Exception):
    """The layer catalogue cannot be used; `problems` lists every mistake found."""

    code = "catalog_invalid"

    def __init__(self, problems: Iterable[CatalogProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        head_de = (
            "Der Ebenenkatalog enthält einen Fehler:"
            if count == 1
            else (f"Der Ebenenkatalog enthält {count} Fehler:")
        )
        head_en = (
            "The layer catalogue has one problem:"
            if count == 1
            else (f"The layer catalogue has {count} problems:")
        )
        self.message_de = "\n".join([head_de, *(f"- {p.text('de')}" for p in self.problems)])
        self.message_en = "\n".join([head_en, *(f"- {p.text('en')}" for p in self.problems)])
        super().__init__(f"{self.message_de}\n\n{self.message_en}")


def problem(file: str, field: str | None, texts: tuple[str, str]) -> CatalogProblem:
    return CatalogProblem(file, field, texts[0], texts[1])


_TOML_REASONS = [  # tomllib's message start -> (German, English) reason with a fix
    (
        "Cannot",
        "Schlüssel oder Tabelle doppelt angegeben; einen davon entfernen.",
        "key or table given twice; remove one of them.",
    ),
    (
        "Expected '='",
        'nach dem Schlüssel fehlt "=", z. B. icon = "tree".',
        'the key is not followed by "=", e.g. icon = "tree".',
    ),
    (
        "Invalid value",
        'ungültiger Wert; Texte und Farben in Anführungszeichen: "#D55E00".',
        'invalid value; put text and colours in double quotes: "#D55E00".',
    ),
    (
        "Illegal character '\\n'",
        'Text nicht geschlossen; das schließende " fehlt.',
        'text not closed; the closing " is missing.',
    ),
    (
        "Unterminated string",
        'Text nicht geschlossen; das schließende " fehlt.',
        'text not closed; the closing " is missing.',
    ),
    (
        "Unclosed",
        "Liste oder Tabelle nicht geschlossen; ] oder } fehlt.",
        "list or table not closed; ] or } is missing.",
    ),
]


def read_toml(path: Path, name: str, problems: list[CatalogProblem]) -> dict[str, Any] | None:
    """Parse one file; on failure record where (line, column) and return None."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        problems.append(
            problem(
                name,
                None,
                (
                    f"ist nicht UTF-8-kodiert (Byte {error.start}). Als UTF-8 speichern.",
                    f"is not UTF-8 encoded (byte {error.start}). Save it as UTF-8.",
                ),
            )
        )
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column (\d+)\)", str(error))
        raw = re.sub(r"\s*\(at (line .*|end of document)\)$", "", str(error))
        de, en = next(
            ((de, en) for start, de, en in _TOML_REASONS if raw.startswith(start)),
            (f"{raw}.", f"{raw}."),
        )
        problems.append(
            CatalogProblem(
                name,
                None,
                f"TOML-Syntaxfehler: {de}",
                f"TOML syntax error: {en}",
                line=int(found[1]) if found else None,
                column=int(found[2]) if found else None,
            )
        )
    return None


def expand(error: ValidationError) -> list[tuple[tuple[Any, ...], str, dict[str, Any], Any]]:
    """Flatten pydantic errors: a cross-field error holding several problems becomes several,
    and a wrong dict key is reported once, not again for its value."""
    out = []
    errors = error.errors(include_url=False)
    bad_keys = {tuple(e["loc"][:-1]) for e in errors if e["loc"] and e["loc"][-1] == "[key]"}
    for err in errors:
        loc, ctx = tuple(err["loc"]), err.get("ctx") or {}
        if loc in bad_keys:
            continue
        for field, de, en in ctx.get("problems", []):
            out.append((loc + tuple(field.split(".")), "catalog", {"de": de, "en": en}, None))
        if not ctx.get("problems"):
            if ctx.get("field"):
                loc += tuple(ctx["field"].split("."))
            out.append((loc, err["type"], {**ctx, "msg": err["msg"]}, err.get("input")))
    return out


_TYPE_NOUNS = {
    "string_type": ("einen Text in Anführungszeichen", "a text in quotes"),
    "int_type": ("eine ganze Zahl ohne Anführungszeichen", "a whole number without quotes"),
    "float_type": ("eine Zahl ohne Anführungszeichen", "a number without quotes"),
    "bool_type": ("true oder false (ohne Anführungszeichen)", "true or false (without quotes)"),
    "list_type": ('eine Liste wie ["Point"]', 'a list like ["Point"]'),
    "tuple_type": ("eine Liste wie [11, 13]", "a list like [11, 13]"),
    "dict_type": ("eine Tabelle [ … ]", "a table [ … ]"),
    "model_type": ("eine Tabelle [ … ]", "a table [ … ]"),
}


def translate(file: str, item: tuple[tuple[Any, ...], str, dict[str, Any], Any]) -> CatalogProblem:
    """Turn one pydantic error into a bilingual sentence with a hint."""
    loc, kind, ctx, value = item
    is_key = bool(loc) and loc[-1] == "[key]"
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc if p != "[key]")
    path = path.lstrip(".") or None
    shown = show_value(value)
    if kind == "catalog":
        texts = (ctx["de"], ctx["en"])
    elif kind == "missing":
        texts = (
            "fehlt. Bitte ergänzen (siehe andere Dateien in layers/).",
            "is missing. Please add it (see the other files in layers/).",
        )
    elif kind == "extra_forbidden":
        known = _allowed_keys(loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        texts = (
            (
                f'ist kein bekanntes Feld. Meinten Sie "{close[0]}"?',
                f'is not a known field. Did you mean "{close[0]}"?',
            )
            if close
            else (
                f"ist kein bekanntes Feld; hier erlaubt: {', '.join(known)}.",
                f"is not a known field; allowed here: {', '.join(known)}.",
            )
        )
    elif kind in ("enum", "literal_error"):
        options = re.findall(r"'([^']*)'", ctx.get("expected", ""))
        close = difflib.get_close_matches(str(value), options, n=1)
        allowed = ", ".join(f'"{o}"' for o in options)
        what_de, what_en = ("Schlüssel", "key") if is_key else ("Wert", "value")
        texts = (
            f"{shown} ist kein erlaubter {what_de}; erlaubt: {allowed}."
            + (f' Meinten Sie "{close[0]}"?' if close else ""),
            f"{shown} is not an allowed {what_en}; allowed: {allowed}."
            + (f' Did you mean "{close[0]}"?' if close else ""),
        )
    elif kind in _TYPE_NOUNS:
        noun_de, noun_en = _TYPE_NOUNS[kind]
        texts = (
            f"{shown} passt nicht, erwartet wird {noun_de}.",
            f"{shown} does not fit, expected {noun_en}.",
        )
    elif kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        bound = {k: ctx[k] for k in ("ge", "le", "gt", "lt") if k in ctx}
        op, limit = next(iter(bound.items()))
        words = {
            "ge": ("mindestens", "at least"),
            "le": ("höchstens", "at most"),
            "gt": ("größer als", "greater than"),
            "lt": ("kleiner als", "less than"),
        }[op]
        texts = (
            f"{shown} ist außerhalb des Bereichs; erlaubt ist {words[0]} {limit}.",
            f"{shown} is out of range; it must be {words[1]} {limit}.",
        )
    elif kind in ("string_too_short", "too_short"):
        texts = ("ist leer. Bitte einen Eintrag angeben.", "is empty. Please give an entry.")
    else:
        texts = (f"{shown} ist ungültig ({ctx['msg']}).", f"{shown} is invalid ({ctx['msg']}).")
    return problem(file, path, texts)


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names valid at `loc`, found by walking the models, for "did you mean" hints."""
    model: type[BaseModel] = Layer
    for part in loc:
        field = model.model_fields.get(str(part))
        if field is None:
            continue  # a dict key such as a legend entry name: stay on the value model
        nested = [
            t
            for t in _flatten(field.annotation)
            if isinstance(t, type) and issubclass(t, BaseModel)
        ]
        if not nested:
            return []
        model = nested[0]
    return list(model.model_fields)


def _flatten(annotation: Any) -> Iterator[Any]:
    yield annotation
    for arg in get_args(annotation):
        yield from _flatten(arg)
