"""The database-specific search structures over `catalog_searchdocument` and
`catalog_searchterm`, created idempotently by one function that both the migration and
the `post_migrate` signal call (the test suite builds its database without migrations).

PostgreSQL: pg_trgm; a weighted `tsvector` column kept up to date by a trigger, with a
GIN index; a GIN trigram index on the vocabulary.
SQLite: an FTS5 table over the documents and an FTS5 trigram table over the
vocabulary, both external-content tables kept up to date by triggers.
"""

# ruff: noqa: S608 - DDL built from this module's constant table names only
from __future__ import annotations

from django.db.backends.base.base import BaseDatabaseWrapper

DOC_TABLE = "catalog_searchdocument"
TERM_TABLE = "catalog_searchterm"
FTS_TABLE = "catalog_search_fts"
TERM_FTS_TABLE = "catalog_searchterm_trgm"

_PG_TSV = (
    "setweight(to_tsvector('simple', coalesce({p}.title_ru_terms, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce({p}.title_en_terms, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce({p}.keyword_terms, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce({p}.body_terms, '')), 'D')"
)

_PG_TSV_TITLE = (
    "to_tsvector('simple', coalesce({p}.title_ru_terms, '') || ' ' || "
    "coalesce({p}.title_en_terms, ''))"
)

POSTGRES_DDL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"ALTER TABLE {DOC_TABLE} ADD COLUMN IF NOT EXISTS tsv tsvector",
    # Titles alone: a small vector, for queries made only of common words.
    f"ALTER TABLE {DOC_TABLE} ADD COLUMN IF NOT EXISTS tsv_title tsvector",
    f"""
    CREATE OR REPLACE FUNCTION catalog_searchdocument_tsv() RETURNS trigger AS $$
    BEGIN
      NEW.tsv := {_PG_TSV.format(p="NEW")};
      NEW.tsv_title := {_PG_TSV_TITLE.format(p="NEW")};
      RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    f"DROP TRIGGER IF EXISTS catalog_searchdocument_tsv ON {DOC_TABLE}",
    f"""
    CREATE TRIGGER catalog_searchdocument_tsv BEFORE INSERT OR UPDATE ON {DOC_TABLE}
    FOR EACH ROW EXECUTE FUNCTION catalog_searchdocument_tsv()
    """,
    f"UPDATE {DOC_TABLE} SET tsv = {_PG_TSV.format(p=DOC_TABLE)}, "
    f"tsv_title = {_PG_TSV_TITLE.format(p=DOC_TABLE)} WHERE tsv IS NULL OR tsv_title IS NULL",
    f"CREATE INDEX IF NOT EXISTS catalog_searchdocument_tsv_gin ON {DOC_TABLE} USING gin (tsv)",
    f"CREATE INDEX IF NOT EXISTS catalog_searchdocument_tsv_title_gin ON {DOC_TABLE} "
    "USING gin (tsv_title)",
    # On an expression, not on the column: pg_trgm's GIN also serves `=`, and the planner
    # would pick it over the unique b-tree for exact look-ups, which it does badly.
    f"""
    CREATE INDEX IF NOT EXISTS catalog_searchterm_trgm_gin ON {TERM_TABLE}
    USING gin (lower(term) gin_trgm_ops)
    """,
]

SQLITE_DDL = [
    f"""
    CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5(
      title_ru_terms, title_en_terms, keyword_terms, body_terms,
      content='{DOC_TABLE}', content_rowid='id',
      tokenize='unicode61 remove_diacritics 0'
    )
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ai AFTER INSERT ON {DOC_TABLE} BEGIN
      INSERT INTO {FTS_TABLE}(rowid, title_ru_terms, title_en_terms, keyword_terms, body_terms)
      VALUES (new.id, new.title_ru_terms, new.title_en_terms, new.keyword_terms, new.body_terms);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_ad AFTER DELETE ON {DOC_TABLE} BEGIN
      INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_ru_terms, title_en_terms,
        keyword_terms, body_terms)
      VALUES ('delete', old.id, old.title_ru_terms, old.title_en_terms, old.keyword_terms,
        old.body_terms);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_au AFTER UPDATE ON {DOC_TABLE} BEGIN
      INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, title_ru_terms, title_en_terms,
        keyword_terms, body_terms)
      VALUES ('delete', old.id, old.title_ru_terms, old.title_en_terms, old.keyword_terms,
        old.body_terms);
      INSERT INTO {FTS_TABLE}(rowid, title_ru_terms, title_en_terms, keyword_terms, body_terms)
      VALUES (new.id, new.title_ru_terms, new.title_en_terms, new.keyword_terms, new.body_terms);
    END
    """,
    f"""
    CREATE VIRTUAL TABLE IF NOT EXISTS {TERM_FTS_TABLE} USING fts5(
      term, content='{TERM_TABLE}', content_rowid='id', tokenize='trigram'
    )
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TERM_FTS_TABLE}_ai AFTER INSERT ON {TERM_TABLE} BEGIN
      INSERT INTO {TERM_FTS_TABLE}(rowid, term) VALUES (new.id, new.term);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TERM_FTS_TABLE}_ad AFTER DELETE ON {TERM_TABLE} BEGIN
      INSERT INTO {TERM_FTS_TABLE}({TERM_FTS_TABLE}, rowid, term) VALUES ('delete', old.id, old.term);
    END
    """,
    f"""
    CREATE TRIGGER IF NOT EXISTS {TERM_FTS_TABLE}_au AFTER UPDATE OF term ON {TERM_TABLE} BEGIN
      INSERT INTO {TERM_FTS_TABLE}({TERM_FTS_TABLE}, rowid, term) VALUES ('delete', old.id, old.term);
      INSERT INTO {TERM_FTS_TABLE}(rowid, term) VALUES (new.id, new.term);
    END
    """,
]


def _tables(connection: BaseDatabaseWrapper) -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


def ensure_search_schema(connection: BaseDatabaseWrapper) -> None:
    """Create the vendor's search structures if they are missing (safe to repeat)."""
    tables = _tables(connection)
    if not {DOC_TABLE, TERM_TABLE} <= tables:
        return  # the catalogue's tables are not there yet (an earlier migration state)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for statement in POSTGRES_DDL:
                cursor.execute(statement)
    elif connection.vendor == "sqlite":
        created = {FTS_TABLE, TERM_FTS_TABLE} - tables
        with connection.cursor() as cursor:
            for statement in SQLITE_DDL:
                cursor.execute(statement)
            # An FTS table created over rows that already exist starts empty: fill it.
            for table in created:
                cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
    # Other databases: none; search.backends falls back to a portable scan.


def drop_search_schema(connection: BaseDatabaseWrapper) -> None:
    """Reverse of `ensure_search_schema` (the migration's backwards step)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS catalog_searchdocument_tsv ON {DOC_TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS catalog_searchdocument_tsv()")
            cursor.execute(f"ALTER TABLE {DOC_TABLE} DROP COLUMN IF EXISTS tsv")
            cursor.execute(f"ALTER TABLE {DOC_TABLE} DROP COLUMN IF EXISTS tsv_title")
            cursor.execute("DROP INDEX IF EXISTS catalog_searchterm_trgm_gin")
        elif connection.vendor == "sqlite":
            for table in (FTS_TABLE, TERM_FTS_TABLE):
                for suffix in ("ai", "ad", "au"):
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_{suffix}")
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
