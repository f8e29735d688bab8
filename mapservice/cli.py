"""The ``karte`` command: database, layer catalogue, demo data, server.

Expected failures (bad settings, no PostGIS, a broken layer file) print one paragraph in
German and English and exit with status 1 — never a traceback.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mapservice.cli_import import register as register_import
from mapservice.cli_pmtiles import export_pmtiles_command
from mapservice.cli_render import render_command
from mapservice.config import Settings, load_settings

console = Console()
err_console = Console(stderr=True)

app = typer.Typer(
    help="Karte der Nachhaltigkeit – Quartierskarten aus Begehungen und Interviews.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(
    help="Datenbank (eingebetteter PostGIS-Cluster oder KARTE_DATABASE_URL).", no_args_is_help=True
)
layers_app = typer.Typer(help="Themenebenen aus layers/*.toml.", no_args_is_help=True)
demo_app = typer.Typer(help="Demodaten (synthetisch) laden oder entfernen.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(layers_app, name="layers")
accounts_app = typer.Typer(help="Konten (field, planner, admin).", no_args_is_help=True)
tokens_app = typer.Typer(help="Zugangstoken erstellen und widerrufen.", no_args_is_help=True)
app.add_typer(demo_app, name="demo")
app.add_typer(accounts_app, name="accounts")
app.add_typer(tokens_app, name="tokens")
app.command("render")(render_command)  # static export of a quarter map (mapservice.maps)
app.command("export-pmtiles")(export_pmtiles_command)  # PMTiles for a CDN (mapservice.tiles)
register_import(app)  # karte import / karte export (mapservice.cli_import)


def _settings() -> Settings:
    return load_settings()


# -- db --------------------------------------------------------------------------------------
@db_app.command("start")
def db_start(
    replicas: Annotated[
        int,
        typer.Option(
            min=0,
            max=9,
            help="Lesereplikate daneben starten (pg_basebackup -R beim ersten Mal, eigener "
            "Port); öffentliche Lesezugriffe gehen dann dorthin",
        ),
    ] = 0,
) -> None:
    """Eingebetteten Cluster anlegen (beim ersten Mal) und starten."""
    from mapservice.db.engine import embedded_cluster
    from mapservice.db.replica_cluster import start_replicas
    from mapservice.db.session import connect

    settings = _settings()
    if settings.database_url:
        connect(settings)
        console.print("Externe Datenbank (KARTE_DATABASE_URL) ist erreichbar; nichts zu starten.")
        return
    engine = connect(settings)
    console.print(f"PostGIS läuft: {engine.url.render_as_string(hide_password=True)}")
    for replica, port in start_replicas(embedded_cluster(settings), replicas):
        console.print(f"Replikat {replica.directory.name} läuft auf Port {port}.")


@db_app.command("stop")
def db_stop() -> None:
    """Eingebetteten Cluster anhalten."""
    from mapservice.db.engine import embedded_cluster
    from mapservice.db.replica_cluster import replicas_of

    settings = _settings()
    for replica in replicas_of(settings.pg_dir):  # replicas first: no reconnect attempts
        if replica.stop():
            console.print(f"Replikat {replica.directory.name} angehalten.")
    stopped = embedded_cluster(settings).stop()
    console.print("Angehalten." if stopped else "Lief nicht.")


@db_app.command("status")
def db_status() -> None:
    """Zeigt, ob die Datenbank läuft, und den Stand des Schemas."""
    from mapservice.db.engine import embedded_cluster
    from mapservice.db.migrate import current_revision, head_revision
    from mapservice.db.session import connect

    settings = _settings()
    if not settings.database_url:
        cluster = embedded_cluster(settings)
        status = cluster.status()
        kept = cluster.saved_port()
        console.print(
            f"Eingebetteter Cluster {settings.pg_dir}: "
            + ("läuft" if status.running else "läuft nicht")
            + (f" (pid {status.pid}, Port {status.port})" if status.running else "")
            + (f" (startet wieder auf Port {kept})" if kept and not status.running else "")
        )
        _replica_status(settings)
        if not status.running:
            raise typer.Exit(3)
    engine = connect(settings, start=False)
    console.print(f"Schema: {current_revision(engine)} (aktuell: {head_revision()})")


def _replica_status(settings: Settings) -> None:
    """One line per embedded replica: running, port, how far behind the primary."""
    import psycopg

    from mapservice.db.replica_cluster import replicas_of

    for replica in replicas_of(settings.pg_dir):
        status = replica.status()
        line = f"Replikat {replica.directory}: " + ("läuft" if status.running else "läuft nicht")
        if status.running:
            line += f" (pid {status.pid}, Port {status.port}"
            try:
                info = f"host=127.0.0.1 port={status.port} user=karte dbname=postgres"
                with psycopg.connect(info, connect_timeout=3) as conn:
                    row = conn.execute(
                        "SELECT pg_last_wal_replay_lsn()::text, "
                        "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0)"
                    ).fetchone()
                if row:
                    line += f", WAL {row[0]}, letzte Transaktion vor {float(row[1]):.0f} s"
            except psycopg.Error as exc:
                line += f", nicht erreichbar: {str(exc).strip().splitlines()[0]}"
            line += ")"
        elif replica.saved_port():
            line += f" (startet wieder auf Port {replica.saved_port()})"
        console.print(line)


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Ziel-Revision")] = "head",
) -> None:
    """Schema auf den neuesten Stand bringen (Alembic)."""
    from mapservice.db.migrate import current_revision, upgrade
    from mapservice.db.session import connect

    engine = connect(_settings())
    upgrade(engine, revision)
    console.print(f"Schema auf Stand {current_revision(engine)}.")


@db_app.command("rebuild-clusters")
def db_rebuild_clusters() -> None:
    """Cluster-Raster der Beobachtungen neu aufbauen (nach Schreiben ohne Trigger)."""
    from sqlalchemy import text

    from mapservice.db.session import connect

    engine = connect(_settings())
    with engine.begin() as conn:
        cells = conn.execute(text("SELECT karte_cluster_cell_rebuild()")).scalar_one()
    console.print(
        f"Cluster-Raster neu aufgebaut: {cells} Zellen. / Cluster grid rebuilt: {cells} cells."
    )


@db_app.command("citus-sql")
def db_citus_sql() -> None:
    """SQL, das eine migrierte Datenbank auf einem Citus-Koordinator verteilt (docs/citus.md)."""
    from mapservice.db.citus import distribution_sql

    typer.echo("\n".join(distribution_sql()))


@db_app.command("psql", context_settings={"allow_extra_args": True})
def db_psql(ctx: typer.Context) -> None:
    """psql mit der Datenbank des Dienstes öffnen (weitere Argumente gehen an psql)."""
    from sqlalchemy.engine import make_url

    from mapservice.db.engine import database_url

    psql = shutil.which("psql")
    if not psql:
        raise typer.BadParameter("psql fehlt / psql is missing: apt-get install postgresql-client")
    url = make_url(database_url(_settings())).set(drivername="postgresql")
    args = [psql, url.render_as_string(hide_password=False), *ctx.args]
    raise typer.Exit(subprocess.call(args))


# -- layers ----------------------------------------------------------------------------------
@layers_app.command("list")
def layers_list(lang: str = "de") -> None:
    """Alle Themenebenen mit Dimension und Sichtbarkeit."""
    from mapservice.catalog import load_catalog

    catalog = load_catalog(_settings().layers_dir)
    table = Table("id", "Titel" if lang == "de" else "Title", "Dimension", "Quelle", "öffentlich")
    for layer in catalog:
        table.add_row(
            layer.id,
            layer.title(lang),
            str(layer.dimension),
            str(layer.source),
            "ja" if layer.public else "nein",
        )
    console.print(table)


@layers_app.command("check")
def layers_check() -> None:
    """Ebenenkatalog prüfen; meldet jeden Fehler mit Datei und Feld."""
    from mapservice.catalog import load_catalog

    catalog = load_catalog(_settings().layers_dir)
    console.print(f"{len(catalog)} Ebenen in Ordnung / {len(catalog)} layers valid.")


# -- demo ------------------------------------------------------------------------------------
@demo_app.command("load")
def demo_load() -> None:
    """Synthetische Demodaten laden (idempotent: zweimal laden ändert nichts)."""
    from mapservice.capture.demo import load_demo
    from mapservice.db.session import connect, require_schema

    settings = _settings()
    engine = connect(settings)
    require_schema(engine)
    counts = load_demo(engine, settings, progress=True)
    console.print("Demodaten geladen: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@demo_app.command("reset")
def demo_reset() -> None:
    """Demodaten entfernen (alles, was als synthetisch markiert ist, und die Demo-Quartiere)."""
    from mapservice.capture.demo import reset_demo
    from mapservice.db.session import connect, require_schema

    settings = _settings()
    engine = connect(settings)
    require_schema(engine)
    removed = reset_demo(engine, settings)
    console.print(f"Demodaten entfernt: {removed} Quartiere.")


# -- accounts and tokens ---------------------------------------------------------------------
def _engine():  # type: ignore[no-untyped-def]
    from mapservice.db.session import connect, require_schema

    engine = connect(_settings())
    require_schema(engine)
    return engine


@accounts_app.command("add")
def accounts_add(
    name: str,
    role: Annotated[str, typer.Option(help="field, planner oder admin")] = "field",
    display_name: Annotated[str, typer.Option(help="Anzeigename")] = "",
) -> None:
    """Konto anlegen."""
    from mapservice.access import create_account

    with _engine().begin() as conn:
        create_account(conn, name, role, display_name)
    console.print(f"Konto '{name}' ({role}) angelegt.")


@accounts_app.command("set-password")
def accounts_set_password(
    name: str,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Passwort aus der ersten Zeile der Standardeingabe")
    ] = False,
) -> None:
    """Passwort setzen (für die Anmeldung im Arbeitsbereich /planung); argon2id-gehasht."""
    import sys

    from mapservice.workspace.auth import set_password

    if stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Neues Passwort / new password", hide_input=True,
                                confirmation_prompt=True)  # fmt: skip
    with _engine().begin() as conn:
        set_password(conn, name, password)
    console.print(f"Passwort für '{name}' gesetzt.")


@accounts_app.command("list")
def accounts_list() -> None:
    """Konten mit Rolle und Zahl gültiger Token."""
    from sqlalchemy import text

    table = Table("Konto", "Rolle", "Name", "gültige Token")
    with _engine().connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.name, a.role, a.display_name, count(t.id) FILTER (WHERE t.revoked_at IS "
                "NULL AND (t.expires_at IS NULL OR t.expires_at > now())) FROM account a "
                "LEFT JOIN token t ON t.account_id = a.id GROUP BY a.id ORDER BY a.name"
            )
        )
        for row in rows:
            table.add_row(*(str(v) for v in row))
    console.print(table)


@tokens_app.command("create")
def tokens_create(
    account: str,
    days: Annotated[int, typer.Option(help="Gültigkeit in Tagen (0 = unbegrenzt)")] = 180,
    label: Annotated[str, typer.Option(help="Wofür, z. B. 'Handy Team Hamme'")] = "",
) -> None:
    """Token erstellen; es wird nur dieses eine Mal angezeigt."""
    from mapservice.access import MAX_TOKEN_DAYS, create_token

    if not 0 <= days <= MAX_TOKEN_DAYS:
        raise typer.BadParameter(
            f"0 (unbegrenzt) bis {MAX_TOKEN_DAYS} / 0 (unlimited) to {MAX_TOKEN_DAYS}",
            param_hint="--days",
        )
    with _engine().begin() as conn:
        token = create_token(conn, account, days=days, label=label)
    console.print("Token (nur jetzt sichtbar, sicher aufbewahren):", style="bold")
    print(token)


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str | None, typer.Argument(help="das Token selbst")] = None,
    account: Annotated[str | None, typer.Option(help="alle Token dieses Kontos")] = None,
) -> None:
    """Token widerrufen (ein Token oder alle eines Kontos)."""
    from mapservice.access import revoke_account_tokens, revoke_token

    if not token and not account:
        raise typer.BadParameter("Token oder --account angeben / give a token or --account")
    with _engine().begin() as conn:
        n = revoke_token(conn, token) if token else revoke_account_tokens(conn, account or "")
    console.print(f"{int(n)} Token widerrufen.")
    if not n:
        raise typer.Exit(1)


# -- serve -----------------------------------------------------------------------------------
@app.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Adresse (KARTE_HOST)")] = None,
    port: Annotated[int | None, typer.Option(help="Port (KARTE_PORT)")] = None,
    workers: Annotated[int, typer.Option(help="Anzahl der Worker-Prozesse")] = 1,
) -> None:
    """Karten und API ausliefern (uvicorn)."""
    import uvicorn

    from mapservice.catalog import load_catalog
    from mapservice.db.engine import read_urls
    from mapservice.db.session import connect, require_schema

    settings = _settings()
    load_catalog(settings.layers_dir)
    engine = connect(settings)
    require_schema(engine)
    # Workers are separate processes: hand them the resolved URL through the environment.
    os.environ["KARTE_DATABASE_URL"] = engine.url.render_as_string(hide_password=False)
    reads = read_urls(settings)  # the embedded replicas that run now, if none are set
    if reads:
        os.environ["KARTE_DATABASE_READ_URLS"] = ",".join(reads)
        console.print(f"Öffentliche Lesezugriffe über {len(reads)} Replikat(e).")
    host, port = host or settings.host, port or settings.port
    console.print(f"Karte der Nachhaltigkeit läuft auf http://{host}:{port}/")
    uvicorn.run(
        "mapservice.api.app:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
    )


def main() -> None:
    """Entry point: turns expected failures into a readable message and exit status 1."""
    from mapservice.catalog import CatalogError, UnknownLayer
    from mapservice.errors import KarteError, nul_refusal

    try:
        app()
    except (KarteError, CatalogError, UnknownLayer) as exc:
        err_console.print(
            f"[bold red]Fehler:[/] {exc.message_de}\n[bold red]Error:[/] {exc.message_en}",
            highlight=False,
            soft_wrap=True,
        )
        sys.exit(1)
    except Exception as exc:  # a NUL in an imported file that reached PostgreSQL
        refusal = nul_refusal(exc)
        if refusal is None:
            raise
        err_console.print(f"[bold red]Fehler:[/] {refusal.message_de}\n[bold red]Error:[/] "
                          f"{refusal.message_en}", highlight=False, soft_wrap=True)  # fmt: skip
        sys.exit(1)


if __name__ == "__main__":
    main()
