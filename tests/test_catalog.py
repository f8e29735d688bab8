"""The layer catalogue: the shipped layers load, and every mistake a planner can make in a
layer file is answered with the file, the key and a fix, in German and English."""

import shutil
from pathlib import Path

import pytest

from mapservice.catalog import (
    Catalog,
    CatalogError,
    Dimension,
    Kind,
    LayerSource,
    UnknownLayer,
    default_layers_dir,
    load_catalog,
)

OBSERVATION_LAYERS = [
    "umwelt",
    "gruen-freiraum",
    "mobilitaet",
    "wohnen",
    "lokale-wirtschaft",
    "bildung",
    "gemeinwesen",
    "nahversorgung",
    "leerstand",
    "barrierefreiheit",
    "sicherheit",
]
REFERENCE_LAYERS = ["referenz-schulen", "referenz-kitas", "referenz-spielplaetze"]
REQUIRED = [*OBSERVATION_LAYERS, "aussagen", "begehungen", *REFERENCE_LAYERS]
OKABE_ITO = {"strength": "#009E73", "problem": "#D55E00", "potential": "#E69F00", "idea": "#0072B2"}


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(default_layers_dir())


def variant(tmp_path: Path, layer_id: str, old: str, new: str, *, name: str | None = None) -> Path:
    """Copy a shipped layer file into tmp_path/layers with one text change, like a hand edit."""
    folder = tmp_path / "layers"
    folder.mkdir(exist_ok=True)
    text = (default_layers_dir() / f"{layer_id}.toml").read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {layer_id}.toml"
    (folder / f"{name or layer_id}.toml").write_text(text.replace(old, new, 1), encoding="utf-8")
    return folder


def load_error(folder: Path) -> CatalogError:
    with pytest.raises(CatalogError) as caught:
        load_catalog(folder)
    return caught.value


def test_shipped_catalogue_has_every_required_layer(catalog: Catalog) -> None:
    assert sorted(catalog.ids()) == sorted(REQUIRED)
    assert len(catalog) == 16
    assert all(layer_id in catalog for layer_id in REQUIRED)
    assert "gruenflaechen" not in catalog


def test_layers_are_grouped_and_ordered_by_dimension_then_id(catalog: Catalog) -> None:
    groups = catalog.by_dimension()
    assert list(groups) == [Dimension.ECOLOGICAL, Dimension.ECONOMIC, Dimension.SOCIAL]
    assert [layer.id for layer in groups[Dimension.ECOLOGICAL]] == [
        "gruen-freiraum",
        "mobilitaet",
        "umwelt",
    ]
    assert [layer.id for layer in groups[Dimension.ECONOMIC]] == [
        "leerstand",
        "lokale-wirtschaft",
        "nahversorgung",
        "wohnen",
    ]
    assert "bildung" in [layer.id for layer in groups[Dimension.SOCIAL]]
    assert catalog.ids()[:3] == ["gruen-freiraum", "mobilitaet", "umwelt"]
    assert [layer.id for layer in catalog][-1] == "sicherheit"


def test_observation_layers_share_kind_colours_and_cluster_below_z15(catalog: Catalog) -> None:
    observation_ids = [layer.id for layer in catalog.of_source(LayerSource.OBSERVATIONS)]
    assert sorted(observation_ids) == sorted(OBSERVATION_LAYERS)
    for layer in [*catalog.of_source("observations"), catalog.get("aussagen")]:
        assert layer.style.colors == OKABE_ITO, layer.id
        assert layer.legend[Kind.POTENTIAL].de == "Potenzial"
        assert layer.legend[Kind.STRENGTH].label("en") == "Strength"
        assert layer.public is True
    umwelt = catalog.get("umwelt")
    assert umwelt.cluster_below_zoom == 15
    assert umwelt.style.color_for(Kind.PROBLEM) == "#D55E00"
    assert umwelt.dimension is Dimension.ECOLOGICAL


def test_titles_and_descriptions_speak_german_first(catalog: Catalog) -> None:
    gruen = catalog.get("gruen-freiraum")
    assert gruen.title("de") == "Grün & Freiraum"
    assert gruen.title("en") == "Green & open space"
    assert gruen.title("fr") == "Grün & Freiraum"
    assert catalog.get("sicherheit").title("de") == "Sicherheit & Sauberkeit"
    assert catalog.get("referenz-schulen").title("de") == "Referenz: Schulen"
    assert "Parks" in gruen.description("de")
    assert gruen.description("en-GB").startswith("Parks, green corridors")


def test_walkthroughs_are_dashed_and_references_grey(catalog: Catalog) -> None:
    tracks = catalog.get("begehungen")
    assert tracks.source is LayerSource.WALKTHROUGHS
    assert tracks.style.dash_array == "6 6"
    assert tracks.cluster_below_zoom is None
    assert tracks.geometry_types == ["LineString", "MultiLineString"]
    for layer_id in REFERENCE_LAYERS:
        layer = catalog.get(layer_id)
        assert layer.source is LayerSource.REFERENCE
        assert layer.dimension is Dimension.SOCIAL
        assert layer.style.color_for() == "#8C8C8C"
        assert "CC0" in (layer.attribution or "")
    assert [layer.id for layer in catalog.of_source("reference")] == sorted(REFERENCE_LAYERS)


def test_unknown_layer_names_the_layers_that_exist(catalog: Catalog) -> None:
    with pytest.raises(UnknownLayer) as caught:
        catalog.get("umweltt")
    error = caught.value
    assert isinstance(error, LookupError)
    assert error.layer_id == "umweltt"
    assert "umwelt" in error.known and "referenz-kitas" in error.known
    assert error.message_de.startswith('Unbekannte Ebene "umweltt". Meinten Sie "umwelt"?')
    assert error.message_en.startswith('Unknown layer "umweltt". Did you mean "umwelt"?')
    assert "gruen-freiraum, mobilitaet, umwelt" in str(error)


def test_typo_in_a_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "umwelt", "title_de =", "titel_de ="))
    assert (
        'layers/umwelt.toml: Feld "titel_de": ist kein bekanntes Feld. '
        'Meinten Sie "title_de"?' in error.message_de
    )
    assert (
        'layers/umwelt.toml: field "titel_de": is not a known field. '
        'Did you mean "title_de"?' in error.message_en
    )
    assert 'field "title_de": is missing' in error.message_en
    assert str(error).index("Feld") < str(error).index("field")  # German first


def test_typo_in_a_nested_key_suggests_the_nested_field(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "umwelt", "fill_opacity", "fill_opacitiy"))
    assert (
        'field "style.fill_opacitiy": is not a known field. Did you mean "fill_opacity"?'
        in error.message_en
    )


def test_bad_colour_names_file_field_and_value(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "umwelt", 'problem = "#D55E00"', 'problem = "#D55E0"'))
    assert [p.field for p in error.problems] == ["style.colors.problem"]
    assert error.problems[0].file == "layers/umwelt.toml"
    assert (
        'layers/umwelt.toml: field "style.colors.problem": "#D55E0" is not a colour like '
        '"#D55E00".' in error.message_en
    )
    assert 'Feld "style.colors.problem": "#D55E0" ist keine Farbe' in error.message_de


def test_min_zoom_above_max_zoom_is_refused(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "mobilitaet", "min_zoom = 11", "min_zoom = 21"))
    assert [p.field for p in error.problems] == ["min_zoom"]
    assert (
        'layers/mobilitaet.toml: field "min_zoom": 21 is greater than max_zoom = 20'
        in error.message_en
    )


def test_zoom_out_of_range_and_quoted_numbers_are_refused(tmp_path: Path) -> None:
    folder = variant(tmp_path, "bildung", "max_zoom = 20", "max_zoom = 23")
    variant(tmp_path, "wohnen", "stroke_width = 1.5", 'stroke_width = "1.5"')
    error = load_error(folder)
    assert (
        'bildung.toml: field "max_zoom": 23 is out of range; it must be at most 22.'
        in error.message_en
    )
    assert (
        'wohnen.toml: field "style.stroke_width": "1.5" does not fit, expected a number '
        "without quotes." in error.message_en
    )


def test_wrong_dimension_lists_the_allowed_ones(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "umwelt", '"ökologisch"', '"oekologisch"'))
    assert (
        'layers/umwelt.toml: Feld "dimension": "oekologisch" ist kein erlaubter Wert; '
        'erlaubt: "ökologisch", "ökonomisch", "sozial". Meinten Sie "ökologisch"?'
        in error.message_de
    )


def test_unknown_kind_in_colours_is_named_as_a_key(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "leerstand", "idea = ", "ideas = "))
    assert 'field "style.colors.ideas": "ideas" is not an allowed key' in error.message_en
    assert 'Did you mean "idea"?' in error.message_en


def test_id_must_match_the_file_name(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "bildung", 'id = "bildung"', 'id = "schule"'))
    assert [p.field for p in error.problems] == ["id"]
    assert (
        'layers/bildung.toml: field "id": "schule" does not match the file name '
        '"bildung.toml".' in error.message_en
    )


def test_broken_toml_syntax_reports_file_and_line(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "nahversorgung", 'icon = "store"', 'icon = "store'))
    (problem,) = error.problems
    line = (tmp_path / "layers/nahversorgung.toml").read_text().splitlines().index('icon = "store')
    assert problem.line == line + 1
    assert (
        f"layers/nahversorgung.toml, Zeile {line + 1}, Spalte 14: TOML-Syntaxfehler: Text "
        'nicht geschlossen; das schließende " fehlt.' in error.message_de
    )
    assert (
        f"layers/nahversorgung.toml, line {line + 1}, column 14: TOML syntax error"
        in error.message_en
    )


def test_all_problems_of_all_files_are_reported_at_once(tmp_path: Path) -> None:
    folder = variant(tmp_path, "umwelt", 'problem = "#D55E00"', 'problem = "#D55E0"')
    variant(tmp_path, "bildung", "public = true", 'public = "ja"')
    variant(tmp_path, "wohnen", "\nsource", "\nsource = ")  # syntax error
    error = load_error(folder)
    assert [(p.file, p.field) for p in error.problems] == [
        ("layers/bildung.toml", "public"),
        ("layers/umwelt.toml", "style.colors.problem"),
        ("layers/wohnen.toml", None),
    ]
    assert error.message_de.startswith("Der Ebenenkatalog enthält 3 Fehler:\n- layers/")
    assert error.message_en.startswith("The layer catalogue has 3 problems:\n- layers/")
    assert error.code == "catalog_invalid"


def test_duplicate_id_in_two_files_is_an_error(tmp_path: Path) -> None:
    folder = variant(tmp_path, "umwelt", "Umwelt & Klima", "Umwelt (alt)")
    variant(tmp_path, "umwelt", "Umwelt & Klima", "Umwelt (Kopie)", name="umwelt-kopie")
    error = load_error(folder)
    fields = {(p.file, p.field) for p in error.problems}
    assert fields == {("layers/umwelt-kopie.toml", "id")}
    assert 'field "id": "umwelt" is also declared in layers/umwelt.toml;' in error.message_en


def test_reference_layer_must_stay_grey_and_credit_its_source(tmp_path: Path) -> None:
    text = (default_layers_dir() / "referenz-kitas.toml").read_text(encoding="utf-8")
    attribution = next(line for line in text.splitlines() if line.startswith("attribution"))
    folder = variant(tmp_path, "referenz-kitas", "#8C8C8C", "#CC79A7")
    path = folder / "referenz-kitas.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(attribution, ""), encoding="utf-8")
    error = load_error(folder)
    assert [p.field for p in error.problems] == ["style.fill_color", "attribution"]
    assert '"#CC79A7": reference layers are neutral grey' in error.message_en


def test_one_layer_with_other_kind_colours_breaks_the_shared_legend(tmp_path: Path) -> None:
    folder = variant(tmp_path, "umwelt", 'idea = "#0072B2"', 'idea = "#56B4E9"')
    for layer_id in ("mobilitaet", "wohnen"):
        shutil.copy(default_layers_dir() / f"{layer_id}.toml", folder)
    error = load_error(folder)
    assert [(p.file, p.field) for p in error.problems] == [
        ("layers/umwelt.toml", "style.colors.idea")
    ]
    assert '"#56B4E9" differs from "#0072B2" used by the other layers.' in error.message_en


def test_empty_or_missing_folder_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "layers").mkdir()
    (tmp_path / "layers" / "README.md").write_text("no layers here\n")
    error = load_error(tmp_path / "layers")
    assert "layers/: enthält keine Ebenen-Dateien (*.toml)." in error.message_de
    assert "layers/: contains no layer files (*.toml)." in error.message_en
    assert "contains no layer files" in str(load_error(tmp_path / "nowhere"))


def test_walkthrough_tracks_must_be_dashed_lines_without_clustering(tmp_path: Path) -> None:
    folder = variant(tmp_path, "begehungen", 'dash_array = "6 6"', 'dash_array = "6,6"')
    error = load_error(folder)
    assert 'field "style.dash_array": "6,6" is not a dash pattern like "6 4"' in error.message_en
    variant(tmp_path, "begehungen", 'dash_array = "6 6"\n', "")
    error = load_error(folder)
    assert [p.field for p in error.problems] == ["style.dash_array"]
    assert "walkthrough tracks are dashed" in error.message_en
    variant(tmp_path, "begehungen", 'icon = "route"', 'icon = "route"\ncluster_below_zoom = 14')
    error = load_error(folder)
    assert [p.field for p in error.problems] == ["cluster_below_zoom"]
    assert "applies to points only" in error.message_en


def test_unknown_key_in_a_legend_entry_lists_the_allowed_keys(tmp_path: Path) -> None:
    error = load_error(variant(tmp_path, "wohnen", 'de = "Idee"', 'farbe = "Idee"'))
    assert (
        'Feld "legend.idea.farbe": ist kein bekanntes Feld; hier erlaubt: de, en, symbol.'
        in error.message_de
    )
    assert 'field "legend.idea.de": is missing.' in error.message_en
