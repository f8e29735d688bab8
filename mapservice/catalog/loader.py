"""Load `layers/*.toml` into a `Catalog`, or explain every mistake at once.

Layer files are edited by hand, often by planners rather than programmers. So the loader
reads every file, collects every problem and raises one `CatalogError` whose paragraphs name
the file, the key as a dotted path (`style.colors.problem`), what is wrong and how to fix
it: German first, English second.
"""

import difflib
import re
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from mapservice.catalog.model import Dimension, Kind, Layer, LayerSource, show_value


def default_layers_dir() -> Path:
    """The repository's `layers/` folder, found from this file, not the working directory."""
    return Path(__file__).resolve().parents[2] / "layers"


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


class UnknownLayer(LookupError):
    """A layer id that the catalogue does not declare; names the ids it does know."""

    code = "unknown_layer"

    def __init__(self, layer_id: str, known: Iterable[str]) -> None:
        self.layer_id = layer_id
        self.known = tuple(known)
        close = difflib.get_close_matches(layer_id, self.known, n=1)
        maybe_de = f' Meinten Sie "{close[0]}"?' if close else ""
        maybe_en = f' Did you mean "{close[0]}"?' if close else ""
        listed = ", ".join(self.known) or "–"
        self.message_de = f'Unbekannte Ebene "{layer_id}".{maybe_de} Bekannte Ebenen: {listed}.'
        self.message_en = f'Unknown layer "{layer_id}".{maybe_en} Known layers: {listed}.'
        super().__init__(f"{self.message_de} / {self.message_en}")


class Catalog:
    """The validated layers, ordered by dimension (ökologisch, ökonomisch, sozial), then id."""

    def __init__(self, layers: Iterable[Layer]) -> None:
        order = list(Dimension)
        ordered = sorted(layers, key=lambda layer: (order.index(layer.dimension), layer.id))
        self._layers: dict[str, Layer] = {}
        for layer in ordered:
            if layer.id in self._layers:
                raise CatalogError(
                    [
                        _problem(
                            "<catalog>",
                            "id",
                            (f'"{layer.id}" kommt doppelt vor.', f'"{layer.id}" occurs twice.'),
                        )
                    ]
                )
            self._layers[layer.id] = layer

    #: Called with an id the files do not declare; returns a layer kept elsewhere (the
    #: workspace's own reference layers in the database) or None. Set by the app.
    on_miss: Callable[[str], Layer | None] | None = None

    def get(self, layer_id: str) -> Layer:
        """The layer with this id, or `UnknownLayer` (which lists the ids that exist)."""
        try:
            return self._layers[layer_id]
        except KeyError:
            found = self._missing(layer_id)
            if found is None:
                raise UnknownLayer(layer_id, self._layers) from None
            return found

    __getitem__ = get

    def __contains__(self, layer_id: object) -> bool:
        return layer_id in self._layers or (
            isinstance(layer_id, str) and self._missing(layer_id) is not None
        )

    def _missing(self, layer_id: str) -> Layer | None:
        found = self.on_miss(layer_id) if self.on_miss is not None else None
        if found is not None:
            self.add(found)
        return found

    def add(self, layer: Layer) -> None:
        """Add a layer defined outside `layers/` (a planner's reference layer); a file's
        layer of the same id always wins. Copy on write: a request iterating the catalogue
        in another thread keeps its own view."""
        if layer.id not in self._layers:
            self._layers = {**self._layers, layer.id: layer}

    def __iter__(self) -> Iterator[Layer]:
        return iter(self._layers.values())

    def __len__(self) -> int:
        return len(self._layers)

    def __repr__(self) -> str:
        return f"Catalog({', '.join(self._layers)})"

    def ids(self) -> list[str]:
        """Layer ids in catalogue order."""
        return list(self._layers)

    def by_dimension(self) -> dict[Dimension, list[Layer]]:
        """Layers grouped for the sidebar; every dimension is a key, even if empty."""
        groups: dict[Dimension, list[Layer]] = {d: [] for d in Dimension}
        for layer in self:
            groups[layer.dimension].append(layer)
        return groups

    def layer_id_for(self, value: str | None) -> str | None:
        """The id of the layer a file names by its id or by a title the UI shows.

        Spreadsheets are filled in from what people see ("Grün & Freiraum", "Green & open
        space"), so case, surrounding and repeated whitespace do not matter; a value that
        names no layer comes back as None (the caller refuses it with the value shown).
        """
        if value is None:
            return None
        if value in self._layers:
            return value
        names = self._names
        if names is None or names[0] is not self._layers:
            table: dict[str, str] = {}
            for layer in self._layers.values():
                for name in (layer.title_de, layer.title_en, layer.id):
                    table.setdefault(_name_key(name), layer.id)
            names = self._names = (self._layers, table)
        found = names[1].get(_name_key(value))
        if found is None and value.strip() in self:  # a layer kept elsewhere (on_miss)
            return value.strip()
        return found

    _names: tuple[dict[str, Layer], dict[str, str]] | None = None

    def of_source(self, source: LayerSource | str) -> list[Layer]:
        """Layers fed by one capture source, e.g. all observation layers for the tiles."""
        wanted = LayerSource(source)
        return [layer for layer in self if layer.source == wanted]


def _name_key(name: str) -> str:
    return " ".join(name.split()).casefold()


def load_catalog(directory: Path | str | None = None) -> Catalog:
    """Read and validate every `*.toml` in `directory` (default: the repo's `layers/`).

    >>> load_catalog().get("umwelt").title("en")
    'Environment & climate'
    """
    folder = Path(directory) if directory is not None else default_layers_dir()
    files = sorted(folder.glob("*.toml")) if folder.is_dir() else []
    if not files:
        raise CatalogError(
            [
                _problem(
                    folder.name + "/",
                    None,
                    (
                        f'enthält keine Ebenen-Dateien (*.toml). Erwartet in "{folder}".',
                        f'contains no layer files (*.toml). Expected in "{folder}".',
                    ),
                )
            ]
        )
    problems: list[CatalogProblem] = []
    layers: list[Layer] = []
    declared: dict[str, list[str]] = {}
    for path in files:
        name = f"{folder.name}/{path.name}"
        data = _read_toml(path, name, problems)
        if data is None:
            continue
        if isinstance(data.get("id"), str):
            declared.setdefault(data["id"], []).append(name)
        if "sdg" not in data:  # optional in the model (planners' layers), required in files
            problems.append(_problem(name, "sdg", _SDG_MISSING))
        try:
            layers.append(Layer.model_validate(data, context={"file_stem": path.stem}))
        except ValidationError as error:
            problems.extend(_translate(name, err) for err in _expand(error))
    for layer_id, names in declared.items():  # the file named after the id owns it
        owner = next((n for n in names if n.endswith(f"/{layer_id}.toml")), names[0])
        problems.extend(
            _problem(
                n,
                "id",
                (
                    f'"{layer_id}" ist auch in {owner} deklariert; Ids müssen eindeutig sein.',
                    f'"{layer_id}" is also declared in {owner}; ids must be unique.',
                ),
            )
            for n in names
            if n != owner
        )
    problems.extend(_kind_colour_problems(layers, folder.name))
    if problems:
        raise CatalogError(problems)
    return Catalog(layers)


_SDG_MISSING = (
    "fehlt: Jede Ebene nennt die Nachhaltigkeitsziele (SDG 1–17, data/sdg.csv), zu denen "
    "sie gehört, z. B. sdg = [11, 13].",
    "is missing: every layer names the Sustainable Development Goals (SDG 1–17, "
    "data/sdg.csv) it relates to, e.g. sdg = [11, 13].",
)


def _problem(file: str, field: str | None, texts: tuple[str, str]) -> CatalogProblem:
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


def _read_toml(path: Path, name: str, problems: list[CatalogProblem]) -> dict[str, Any] | None:
    """Parse one file; on failure record where (line, column) and return None."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        problems.append(
            _problem(
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


def _expand(error: ValidationError) -> list[tuple[tuple[Any, ...], str, dict[str, Any], Any]]:
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


def _translate(file: str, item: tuple[tuple[Any, ...], str, dict[str, Any], Any]) -> CatalogProblem:
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
    return _problem(file, path, texts)


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


def _kind_colour_problems(layers: list[Layer], folder: str) -> list[CatalogProblem]:
    """Kind drives colour on every map, so all layers must agree on it (one legend)."""
    coloured = [layer for layer in layers if layer.kind_coloured and layer.style.colors]
    out = []
    for kind in Kind:
        votes = Counter(layer.style.colors[kind] for layer in coloured if layer.style.colors)
        if len(votes) < 2:
            continue
        usual = votes.most_common(1)[0][0]
        for layer in coloured:
            colour = layer.style.colors[kind] if layer.style.colors else usual
            if colour != usual:
                out.append(
                    _problem(
                        f"{folder}/{layer.id}.toml",
                        f"style.colors.{kind}",
                        (
                            f'"{colour}" weicht von "{usual}" der anderen Ebenen ab. '
                            "Die Farbe je Art gilt für alle Ebenen, damit die Karte eine "
                            "Legende hat.",
                            f'"{colour}" differs from "{usual}" used by the other layers. '
                            "A kind has one colour across all layers so the map has one legend.",
                        ),
                    )
                )
    return out
