"""The layer catalogue's data model: what one file in `layers/` may say.

Unknown keys are refused (`extra="forbid"`): a typo such as `titel_de` would otherwise be
ignored and the map would quietly lose its title. Numbers and booleans are strict, so
`min_zoom = "12"` is an error, not a guess. Our checks raise a `PydanticCustomError` of type
"catalog" carrying a German and an English reason, which the loader turns into one readable
paragraph per problem.
"""

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from mapservice.catalog.sdg import goals


class Dimension(StrEnum):
    """Sustainability dimension; the values are the German words the UI shows first."""

    ECOLOGICAL = "ökologisch"
    ECONOMIC = "ökonomisch"
    SOCIAL = "sozial"

    def label(self, lang: str = "de") -> str:
        """Heading for the sidebar group, German unless `lang` asks for English."""
        return _DIMENSION_EN[self] if _is_english(lang) else self.value


class Kind(StrEnum):
    """What a reader looks for first on the map: it drives the marker colour."""

    STRENGTH = "strength"
    PROBLEM = "problem"
    POTENTIAL = "potential"
    IDEA = "idea"

    def label(self, lang: str = "de") -> str:
        """Stärke/Problem/Potenzial/Idee, or the English word for `lang="en"`."""
        return _KIND_LABELS[self][1 if _is_english(lang) else 0]


class LayerSource(StrEnum):
    """Which capture table feeds a layer; decides which style and legend it needs."""

    OBSERVATIONS = "observations"
    FINDINGS = "findings"
    WALKTHROUGHS = "walkthroughs"
    REFERENCE = "reference"
    #: the Handlungsprogramm's measures (table ``measure``): one built-in layer,
    #: ``mapservice.programme.layer.MEASURES_LAYER``, not a file in layers/
    MEASURES = "measures"


_DIMENSION_EN = {"ökologisch": "ecological", "ökonomisch": "economic", "sozial": "social"}
_KIND_LABELS = {
    "strength": ("Stärke", "Strength"),
    "problem": ("Problem", "Problem"),
    "potential": ("Potenzial", "Potential"),
    "idea": ("Idee", "Idea"),
}
#: Sources whose features carry a kind and are therefore coloured by kind.
KIND_COLOURED_SOURCES = frozenset({LayerSource.OBSERVATIONS, LayerSource.FINDINGS})
#: Observation layers cluster points below this zoom unless the file says otherwise.
DEFAULT_CLUSTER_BELOW_ZOOM = 15

GeometryType = Literal[
    "Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"
]
PopupField = Literal[
    "title",
    "description",
    "kind",
    "rating",
    "observed_at",
    "walkthrough",
    "photo",
    "layer",
    "status",
    "place_text",
    "statement",
    "name",
    "address",
    "category",
]
POINT_TYPES = frozenset({"Point", "MultiPoint"})
LINE_TYPES = frozenset({"LineString", "MultiLineString"})


def _is_english(lang: str) -> bool:
    """German is the default; "en", "en-GB", "EN" all mean English."""
    return lang.strip().lower().startswith("en")


def show_value(value: object) -> str:
    """A value as the user typed it in TOML, so the message quotes their own text."""
    if isinstance(value, bool):
        return str(value).lower()
    return f'"{value}"' if isinstance(value, str) else repr(value)


def catalog_error(de: str, en: str, field: str | None = None) -> PydanticCustomError:
    """A validation error with both languages; `field` points cross-field checks at a key."""
    return PydanticCustomError("catalog", "{en}", {"de": de, "en": en, "field": field})


def _pattern_check(pattern: str, de: str, en: str) -> AfterValidator:
    """Pattern check with a message written for people, not a regular expression."""
    compiled = re.compile(pattern)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise catalog_error(f"{show_value(value)} {de}", f"{show_value(value)} {en}")
        return value

    return AfterValidator(check)


Colour = Annotated[
    str,
    _pattern_check(
        r"#[0-9A-Fa-f]{6}",
        'ist keine Farbe wie "#D55E00". "#" und sechs Hex-Ziffern schreiben.',
        'is not a colour like "#D55E00". Write "#" and six hex digits.',
    ),
    AfterValidator(str.upper),
]
LayerId = Annotated[
    str,
    _pattern_check(
        r"[a-z0-9][a-z0-9-]{1,40}",
        "ist keine gültige Ebenen-ID: 2–41 Zeichen aus a–z, 0–9 und "
        '"-", ohne Umlaute (z. B. "gruen-freiraum").',
        "is not a valid layer id: 2–41 characters "
        'from a–z, 0–9 and "-", no umlauts (e.g. "gruen-freiraum").',
    ),
]
Glyph = Annotated[
    str,
    _pattern_check(
        r"[a-z][a-z0-9-]{1,30}",
        'ist kein Symbolname wie "tree" oder "door-closed".',
        'is not a glyph name like "tree" or "door-closed".',
    ),
]
LegendKey = Annotated[
    str,
    _pattern_check(
        r"[a-z][a-z0-9_-]{0,30}",
        'ist kein Legendenschlüssel wie "problem" oder "track".',
        'is not a legend key like "problem" or "track".',
    ),
]
DashArray = Annotated[
    str,
    _pattern_check(
        r"\d+(\.\d+)?( \d+(\.\d+)?)*",
        'ist kein Strichmuster wie "6 4" (Strich, Lücke in Pixeln).',
        'is not a dash pattern like "6 4" (dash, gap in pixels).',
    ),
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
Zoom = Annotated[int, Field(strict=True, ge=0, le=22)]


class _Frozen(BaseModel):
    """Catalogue entries are shared by all requests, so nobody may change them in place."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LegendEntry(_Frozen):
    """One legend row; `symbol` is the glyph that keeps a grey-scale print readable."""

    de: Text
    en: Text
    symbol: Glyph | None = None

    def label(self, lang: str = "de") -> str:
        """The row's text in `lang`, German by default."""
        return self.en if _is_english(lang) else self.de


class LayerStyle(_Frozen):
    """How features are drawn: colours by kind, one fill colour, or a palette per track.

    Which of these a layer needs depends on its source and is checked by `Layer`.
    """

    colors: dict[Kind, Colour] | None = None
    fill_color: Colour | None = None
    stroke_color: Colour
    stroke_width: Annotated[float, Field(strict=True, ge=0, le=20)]
    fill_opacity: Annotated[float, Field(strict=True, ge=0, le=1)]
    dash_array: DashArray | None = None
    palette: Annotated[list[Colour], Field(min_length=1)] | None = None

    @model_validator(mode="after")
    def _every_kind_has_a_colour(self) -> "LayerStyle":
        """A feature of a kind without a colour could not be drawn in the shared legend."""
        missing = [k.value for k in Kind if self.colors is not None and k not in self.colors]
        if missing:
            raise catalog_error(
                f"fehlt eine Farbe für: {', '.join(missing)}. Jede Art braucht eine Farbe.",
                f"lacks a colour for: {', '.join(missing)}. Every kind needs a colour.",
                field="colors",
            )
        return self

    def color_for(self, kind: Kind | str | None = None) -> str:
        """Fill colour for a feature of `kind`; kind-less layers use fill, then stroke."""
        if self.colors is not None and kind is not None:
            return self.colors[Kind(kind)]
        return self.fill_color or self.stroke_color


def _is_grey(colour: str) -> bool:
    """Neutral enough to stay in the background: the RGB channels differ by at most 16."""
    channels = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return max(channels) - min(channels) <= 16


class Layer(_Frozen):
    """One thematic layer as declared in `layers/<id>.toml`."""

    id: LayerId
    source: LayerSource
    title_de: Text
    title_en: Text
    description_de: Text
    description_en: Text
    dimension: Dimension
    geometry_types: Annotated[list[GeometryType], Field(min_length=1)]
    public: StrictBool
    min_zoom: Zoom
    max_zoom: Zoom
    cluster_below_zoom: Zoom | None = None
    #: Repeat walkthroughs (issue 15): how far apart (metres) an observation of a later round
    #: may lie from one of an earlier round to be taken for the same thing; 0 = never
    #: matched (e.g. one-off events).
    match_distance_m: Annotated[float, Field(strict=True, ge=0, le=1000)] = 50.0
    #: The UN Sustainable Development Goals (1–17, data/sdg.csv) the layer relates to. Every
    #: file in layers/ must name them (the loader checks); layers kept elsewhere (a
    #: planner's reference layer) may have none.
    sdg: tuple[Annotated[int, Field(strict=True)], ...] = ()
    icon: Glyph
    popup_fields: Annotated[list[PopupField], Field(min_length=1)]
    attribution: Text | None = None
    style: LayerStyle
    legend: Annotated[dict[LegendKey, LegendEntry], Field(min_length=1)]

    def title(self, lang: str = "de") -> str:
        """The layer's title in `lang`; German unless English is asked for."""
        return self.title_en if _is_english(lang) else self.title_de

    def description(self, lang: str = "de") -> str:
        """The layer's description in `lang`; German unless English is asked for."""
        return self.description_en if _is_english(lang) else self.description_de

    @property
    def kind_coloured(self) -> bool:
        """True when features carry a kind and are drawn in the shared kind colours."""
        return self.source in KIND_COLOURED_SOURCES

    @model_validator(mode="before")
    @classmethod
    def _default_clustering(cls, data: Any) -> Any:
        """Observation layers are dense; cluster them below z15 unless told otherwise."""
        if isinstance(data, dict) and data.get("source") == LayerSource.OBSERVATIONS:
            return {"cluster_below_zoom": DEFAULT_CLUSTER_BELOW_ZOOM, **data}
        return data

    @field_validator("id")
    @classmethod
    def _id_is_file_name(cls, value: str, info: ValidationInfo) -> str:
        """The file name is how people find a layer, so it must agree with the id."""
        stem = (info.context or {}).get("file_stem")
        if stem is not None and value != stem:
            raise catalog_error(
                f'"{value}" stimmt nicht mit dem Dateinamen "{stem}.toml" überein. '
                f'Datei in "{value}.toml" umbenennen oder id = "{stem}" setzen.',
                f'"{value}" does not match the file name "{stem}.toml". '
                f'Rename the file to "{value}.toml" or set id = "{stem}".',
            )
        return value

    @field_validator("sdg")
    @classmethod
    def _known_goals(cls, values: tuple[int, ...]) -> tuple[int, ...]:
        """Only the 17 goals exist; a typo such as 71 or 0 must not become a new goal."""
        known = goals()
        wrong = [v for v in values if v not in known]
        if wrong:
            shown = ", ".join(str(v) for v in wrong)
            raise catalog_error(
                f"{shown} ist kein Nachhaltigkeitsziel (SDG); erlaubt sind die Nummern 1 bis 17 "
                "(data/sdg.csv), z. B. sdg = [11, 13].",
                f"{shown} is not a Sustainable Development Goal (SDG); allowed are the numbers "
                "1 to 17 (data/sdg.csv), e.g. sdg = [11, 13].",
            )
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise catalog_error(
                f"enthält doppelt: {', '.join(map(str, repeated))}. Jedes Ziel nur einmal nennen.",
                f"lists twice: {', '.join(map(str, repeated))}. Please name each goal once.",
            )
        return tuple(sorted(values))

    @field_validator("source")
    @classmethod
    def _measures_are_built_in(cls, value: LayerSource, info: ValidationInfo) -> LayerSource:
        """The measures' layer is declared in code (mapservice/programme/layer.py), not in
        a file: the catalogue's layers are capture themes every map and export iterates."""
        if value == LayerSource.MEASURES and (info.context or {}).get("file_stem") is not None:
            raise catalog_error(
                '"measures" ist eingebaut (Ebene massnahmen) und kein Dateityp; '
                "observations, findings, walkthroughs oder reference angeben.",
                '"measures" is built in (layer massnahmen), not a file type; '
                "give observations, findings, walkthroughs or reference.",
            )
        return value

    @field_validator("geometry_types", "popup_fields")
    @classmethod
    def _no_repeats(cls, values: list[str]) -> list[str]:
        """A repeated entry is almost always a copy-paste slip; say so rather than dedupe."""
        repeated = sorted({v for v in values if values.count(v) > 1})
        if repeated:
            raise catalog_error(
                f"enthält doppelt: {', '.join(repeated)}. Bitte jeden Eintrag nur einmal nennen.",
                f"lists twice: {', '.join(repeated)}. Please name each entry once.",
            )
        return values

    @model_validator(mode="after")
    def _consistent(self) -> "Layer":
        """Rules linking several keys; all broken ones are reported together, each at its key.

        They run once every key is valid on its own, so a file with type errors shows
        those first and these on the next load.
        """
        if problems := self._cross_field_problems():
            raise PydanticCustomError(
                "catalog",
                "{en}",
                {
                    "de": " ".join(p[1] for p in problems),
                    "en": " ".join(p[2] for p in problems),
                    "problems": problems,
                },
            )
        return self

    def _cross_field_problems(self) -> list[tuple[str, str, str]]:
        """(field, German reason, English reason) for every rule this layer breaks."""
        out: list[tuple[str, str, str]] = []
        lo, hi, cluster, style = self.min_zoom, self.max_zoom, self.cluster_below_zoom, self.style
        if lo > hi:
            out.append(
                (
                    "min_zoom",
                    f"{lo} ist größer als max_zoom = {hi}; min_zoom muss "
                    "kleiner oder gleich max_zoom sein.",
                    f"{lo} is greater than max_zoom = "
                    f"{hi}; min_zoom must be less than or equal to max_zoom.",
                )
            )
        if cluster is not None and not POINT_TYPES & set(self.geometry_types):
            out.append(
                (
                    "cluster_below_zoom",
                    "gilt nur für Punkte, diese Ebene hat keine; Zeile entfernen.",
                    "applies to points only and this layer has none; remove the line.",
                )
            )
        elif cluster is not None and cluster > hi:
            out.append(
                (
                    "cluster_below_zoom",
                    f"{cluster} liegt über max_zoom = {hi}, einzelne Punkte wären nie zu sehen.",
                    f"{cluster} is above max_zoom = {hi}, single points would never show.",
                )
            )
        if self.kind_coloured and style.colors is None:
            out.append(
                (
                    "style.colors",
                    "fehlt: Beobachtungen und Aussagen werden nach Art "
                    "eingefärbt; [style.colors] mit strength, problem, potential, idea "
                    "angeben.",
                    "is missing: observations and findings are coloured by "
                    "kind; add [style.colors] with strength, problem, potential, idea.",
                )
            )
        if self.kind_coloured and set(self.legend) != set(Kind):
            out.append(
                (
                    "legend",
                    f"hat {', '.join(self.legend)}; erwartet wird je ein Eintrag "
                    "für strength, problem, potential, idea.",
                    f"has {', '.join(self.legend)}"
                    "; expected one entry each for strength, problem, potential, idea.",
                )
            )
        if self.source == LayerSource.REFERENCE and not _is_grey(style.fill_color or "#FF0000"):
            out.append(
                (
                    "style.fill_color",
                    f"{show_value(style.fill_color)}: Referenzebenen sind "
                    'neutral grau (z. B. "#8C8C8C"), damit sie stützen statt konkurrieren.',
                    f"{show_value(style.fill_color)}: reference layers are neutral grey (e.g. "
                    '"#8C8C8C") so they support rather than compete.',
                )
            )
        if self.source == LayerSource.REFERENCE and self.attribution is None:
            out.append(
                (
                    "attribution",
                    "fehlt: Referenzdaten brauchen eine Quellenangabe.",
                    "is missing: reference data needs a source attribution.",
                )
            )
        if self.source == LayerSource.WALKTHROUGHS and style.dash_array is None:
            out.append(
                (
                    "style.dash_array",
                    'fehlt: Begehungsrouten sind gestrichelt, z. B. dash_array = "6 6".',
                    'is missing: walkthrough tracks are dashed, e.g. dash_array = "6 6".',
                )
            )
        if self.source == LayerSource.WALKTHROUGHS and not LINE_TYPES & set(self.geometry_types):
            out.append(
                (
                    "geometry_types",
                    "braucht LineString: Begehungen sind Routen.",
                    "needs LineString: walkthroughs are tracks.",
                )
            )
        return out
