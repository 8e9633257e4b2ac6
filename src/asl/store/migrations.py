"""The durable store's schema, as named migrations (applied once each, recorded in ``_migrations``)."""

from __future__ import annotations

__all__ = ["EXECUTION_MIGRATIONS"]

EXECUTION_MIGRATIONS: list[tuple[str, str]] = [
    (
        "0001_state_machines",
        """
        CREATE TABLE state_machines (
            arn TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            type TEXT NOT NULL,
            role_arn TEXT NOT NULL,
            created TEXT NOT NULL,
            version INTEGER NOT NULL
        );
        CREATE TABLE state_machine_versions (
            arn TEXT NOT NULL,
            version INTEGER NOT NULL,
            definition TEXT NOT NULL,
            created TEXT NOT NULL,
            PRIMARY KEY (arn, version)
        ) WITHOUT ROWID
        """,
    ),
    (
        "0002_executions",
        """
        CREATE TABLE executions (
            id INTEGER PRIMARY KEY,
            arn TEXT NOT NULL UNIQUE,
            machine_arn TEXT NOT NULL,
            version INTEGER NOT NULL,
            name TEXT NOT NULL,
            status TEXT NOT NULL,
            input TEXT NOT NULL,
            output TEXT,
            error TEXT,
            cause TEXT,
            start_date TEXT NOT NULL,
            stop_date TEXT,
            redrive_count INTEGER NOT NULL DEFAULT 0,
            redrive_date TEXT,
            test_case TEXT
        );
        CREATE INDEX executions_by_machine ON executions (machine_arn, start_date);
        CREATE INDEX executions_by_status ON executions (status);
        CREATE TABLE events (
            execution INTEGER NOT NULL,
            id INTEGER NOT NULL,
            thread TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (execution, id)
        ) WITHOUT ROWID
        """,
    ),
    (
        "0003_activities",
        """
        CREATE TABLE activities (
            arn TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            created TEXT NOT NULL
        )
        """,
    ),
    (
        "0004_heartbeats",
        """
        CREATE TABLE heartbeats (
            token TEXT PRIMARY KEY,
            at TEXT NOT NULL
        ) WITHOUT ROWID
        """,
    ),
    (
        # History bodies average ~2.5 KB. A WITHOUT ROWID table keeps whole rows in its primary-key
        # b-tree, which SQLite advises against for rows over ~1/20 of a page: every insert moved
        # large cells between pages. A rowid table appends the bodies and indexes (execution, id)
        # beside them: an AI Chef session's 112 events (~300 KB) went in 0.92 ms instead of 1.35.
        "0005_events_rowid",
        """
        CREATE TABLE events_rowid (
            execution INTEGER NOT NULL,
            id INTEGER NOT NULL,
            thread TEXT NOT NULL,
            body TEXT NOT NULL,
            PRIMARY KEY (execution, id)
        );
        INSERT INTO events_rowid SELECT execution, id, thread, body FROM events ORDER BY execution, id;
        DROP TABLE events;
        ALTER TABLE events_rowid RENAME TO events
        """,
    ),
    (
        # DeleteStateMachine is asynchronous on AWS: the machine stays DELETING until its running
        # executions end, and a runtime that restarts meanwhile must know to finish the deletion.
        "0006_state_machine_status",
        """
        ALTER TABLE state_machines ADD COLUMN status TEXT NOT NULL DEFAULT 'ACTIVE'
        """,
    ),
    (
        # A DISTRIBUTED Map's iterations are child executions whose events the parent's history
        # does not show; their outputs are kept here so a resumed execution does not run them
        # again. map_event is the id of the Map's MapStateStarted event, item the item's index.
        "0007_map_iterations",
        """
        CREATE TABLE map_iterations (
            execution INTEGER NOT NULL,
            map_event INTEGER NOT NULL,
            item INTEGER NOT NULL,
            failed INTEGER NOT NULL,
            output TEXT NOT NULL,
            PRIMARY KEY (execution, map_event, item)
        )
        """,
    ),
    (
        # AWS keeps a machine's logging and tracing configuration and its tags (an activity's tags
        # too), and gives it a
        # revision id (with an update date) only once it has been updated. JSON text, NULL = never set.
        "0008_state_machine_configuration",
        """
        ALTER TABLE state_machines ADD COLUMN logging TEXT;
        ALTER TABLE state_machines ADD COLUMN tracing TEXT;
        ALTER TABLE state_machines ADD COLUMN revision TEXT;
        ALTER TABLE state_machines ADD COLUMN updated TEXT;
        ALTER TABLE state_machines ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
        ALTER TABLE activities ADD COLUMN tags TEXT NOT NULL DEFAULT '{}'
        """,
    ),
    (
        # Published versions and aliases (PublishStateMachineVersion, CreateStateMachineAlias).
        # A version names the definition row (state_machine_versions) it runs, so an execution
        # started from it resumes with that definition; `published` is the highest number ever
        # given, since AWS never gives a deleted version's number again. An alias keeps its
        # routing as JSON text. execution_qualifiers says which version or alias an execution was
        # started with (only those that were: most executions have no row here, so ListExecutions
        # of a version or alias reads it whole rather than through indexes every store would carry).
        "0009_versions_and_aliases",
        """
        ALTER TABLE state_machines ADD COLUMN published INTEGER NOT NULL DEFAULT 0;
        CREATE TABLE published_versions (
            arn TEXT NOT NULL,
            number INTEGER NOT NULL,
            revision INTEGER NOT NULL,
            revision_id TEXT NOT NULL,
            role_arn TEXT NOT NULL,
            logging TEXT,
            tracing TEXT,
            description TEXT,
            created TEXT NOT NULL,
            PRIMARY KEY (arn, number)
        ) WITHOUT ROWID;
        CREATE TABLE aliases (
            arn TEXT NOT NULL,
            name TEXT NOT NULL,
            description TEXT,
            routing TEXT NOT NULL,
            created TEXT NOT NULL,
            updated TEXT NOT NULL,
            PRIMARY KEY (arn, name)
        ) WITHOUT ROWID;
        CREATE TABLE execution_qualifiers (
            execution INTEGER PRIMARY KEY,
            version_arn TEXT,
            alias_arn TEXT
        )
        """,
    ),
    (
        # A DISTRIBUTED Map's Map Run is a resource of its own on AWS (DescribeMapRun, ListMapRuns,
        # UpdateMapRun, ListExecutions(mapRunArn)): its settings (an update's too), status and
        # dates, and its child executions (DescribeExecution: status, input, output or error), kept
        # so that they outlive a restart.
        "0010_map_runs",
        """
        CREATE TABLE map_runs (
            arn TEXT PRIMARY KEY,
            execution INTEGER NOT NULL,
            map_event INTEGER NOT NULL,
            execution_arn TEXT NOT NULL,
            status TEXT NOT NULL,
            start_date TEXT NOT NULL,
            stop_date TEXT,
            total INTEGER NOT NULL,
            max_concurrency INTEGER NOT NULL,
            tolerated_count INTEGER,
            tolerated_percentage REAL,
            tolerance_updated INTEGER NOT NULL DEFAULT 0,
            redrive_count INTEGER NOT NULL DEFAULT 0,
            redrive_date TEXT
        );
        CREATE INDEX map_runs_by_execution ON map_runs (execution, start_date);
        CREATE TABLE map_run_children (
            map_run TEXT NOT NULL,
            item INTEGER NOT NULL,
            status TEXT NOT NULL,
            start_date TEXT NOT NULL,
            stop_date TEXT,
            name TEXT NOT NULL,
            input TEXT,
            output TEXT,
            error TEXT,
            cause TEXT,
            PRIMARY KEY (map_run, item)
        );
        CREATE INDEX map_run_children_by_name ON map_run_children (name)
        """,
    ),
]
