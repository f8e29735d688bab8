"""Which table goes where on a Citus cluster: the classification docs/citus.md explains.

Why a module and not only a document: the schema test (tests/test_citus_schema.py) reads
this classification to check every key of the live schema, and ``karte db citus-sql``
prints the statements that distribute an existing database — one source for all three, so
a new table cannot be forgotten in one of them (the test fails on an unclassified table).

- *Distributed* by ``quarter_id``, all co-located: the tables that grow with the field work
  of a quarter. Every join of the service between them stays inside one quarter, so Citus
  runs it on one worker.
- *Reference* (a full copy on every node): small, read everywhere, written rarely —
  quarters, gazetteer and reference features, layers, accounts, the Handlungsprogramm
  (measures and actors span quarters).
- *Local* (coordinator only): bookkeeping nothing on a worker joins with.
"""

from __future__ import annotations

DISTRIBUTION_COLUMN = "quarter_id"

#: Parents before children (``create_distributed_table`` needs a foreign key's target
#: distributed first); the first one anchors the co-location group.
DISTRIBUTED: tuple[str, ...] = (
    "walk_round",
    "walkthrough",
    "walkthrough_track",
    "observation",
    "cluster_cell",
    "interview",
    "interview_contact",
    "finding",
    "revision",
    "photo",
    "moderation_event",
    "measure_quarter",
    "actor_quarter",
    "measure_link",
    "change_match_decision",
    "erasure_event",
    "map_view",
)

#: Parents before children as well (a reference table may only point at reference tables).
REFERENCE: tuple[str, ...] = (
    "quarter",
    "account",
    "layer_version",
    "planner_layer",
    "gazetteer_entry",
    "reference_feature",
    "actor",
    "actor_offer",
    "actor_consent_event",
    "measure",
    "measure_milestone",
)

#: Coordinator only.
LOCAL: tuple[str, ...] = (
    "alembic_version",
    "spatial_ref_sys",
    "token",
    "login_attempt",
    "import_job",
)


def kind_of(table: str) -> str | None:
    """``distributed``, ``reference``, ``local`` or ``None`` for a table nobody classified."""
    for kind, tables in (("distributed", DISTRIBUTED), ("reference", REFERENCE), ("local", LOCAL)):
        if table in tables:
            return kind
    return None


def distribution_sql() -> list[str]:
    """The statements that turn a migrated database on a Citus coordinator into the layout
    above (run once, in this order, after ``karte db upgrade``)."""
    out = [f"SELECT create_reference_table('{t}');" for t in REFERENCE]
    anchor = DISTRIBUTED[0]
    out.append(f"SELECT create_distributed_table('{anchor}', '{DISTRIBUTION_COLUMN}');")
    out += [
        f"SELECT create_distributed_table('{t}', '{DISTRIBUTION_COLUMN}', "
        f"colocate_with => '{anchor}');"
        for t in DISTRIBUTED[1:]
    ]
    return out
