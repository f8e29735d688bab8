"""Load `layers/*.toml` into a `Catalog`, or explain every mistake at once.

Layer files are edited by hand, often by planners rather than programmers. So the loader
reads every file, collects every problem and raises one `CatalogError` whose paragraphs name
the file, the key as a dotted path (`style.colors.problem`), what is wrong and how to fix
it: German first, English second (the wording: `problems.py`).
"""

import difflib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from pydantic import ValidationError

from mapservice.catalog.model import Dimension, Kind, Layer, LayerSource
from mapservice.catalog.problems import (
    CatalogError,
    CatalogProblem,
    expand,
    problem,
    read_toml,
    translate,
)


def default_layers_dir() -> Path:
    """The repository's `layers/` folder, found from this file, not the working directory."""
    return Path(__file__).resolve().parents[2] / "layers"


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
                        problem(
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
                problem(
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
        data = read_toml(path, name, problems)
        if data is None:
            continue
        if isinstance(data.get("id"), str):
            declared.setdefault(data["id"], []).append(name)
        if "sdg" not in data:  # optional in the model (planners' layers), required in files
            problems.append(problem(name, "sdg", _SDG_MISSING))
        try:
            layers.append(Layer.model_validate(data, context={"file_stem": path.stem}))
        except ValidationError as error:
            problems.extend(translate(name, err) for err in expand(error))
    for layer_id, names in declared.items():  # the file named after the id owns it
        owner = next((n for n in names if n.endswith(f"/{layer_id}.toml")), names[0])
        problems.extend(
            problem(
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
                    problem(
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
