import Logging
import MailStore
import PostgresNIO

/// The versioned schema. Never edit a migration that has shipped: add a new one at the end.
///
/// Design for several nodes:
/// - `mailboxes` holds each mailbox's allocation counters (UIDNEXT, HIGHESTMODSEQ): a writer locks the
///   row, takes what it needs and commits, so UIDs and MODSEQs are allocated atomically per mailbox.
/// - `contents` holds each distinct message text once (keyed by SHA-256), in `content_chunks` rows of
///   `PostgresMailStore.Limits.chunkSize` bytes, with a reference count kept by triggers on `messages`
///   whoever deletes (EXPUNGE, a mailbox or an account removed by cascade); the last reference takes
///   the content and its chunks.
/// - `messages.email_id` (RFC 8474 EMAILID) comes from a sequence at APPEND and follows the message
///   through COPY and MOVE: two APPENDs of equal text are two messages sharing one content. The parse
///   result and derived texts (`structures`) belong to it, so copies share them, a new APPEND starts
///   without, and the last copy's removal takes them (trigger).
/// - Each mailbox's usage (for quota) is kept on its row by triggers, in the transaction of the write.
enum PostgresSchema {
    /// Migration version → its statements, applied in order in the transaction that records it.
    static let migrations: [(version: Int, statements: [String])] = [
        (
            1,
            [
                """
                CREATE TABLE store_state (
                    id integer PRIMARY KEY CHECK (id = 1),
                    last_uidvalidity bigint NOT NULL DEFAULT 0,
                    default_quota_bytes bigint,
                    default_quota_messages bigint
                )
                """,
                "INSERT INTO store_state (id) VALUES (1)",
                """
                CREATE TABLE accounts (
                    id bigserial PRIMARY KEY,
                    name text NOT NULL,
                    salt bytea NOT NULL,
                    iterations integer NOT NULL,
                    stored_key bytea NOT NULL,
                    server_key bytea NOT NULL,
                    created double precision NOT NULL,
                    quota_own boolean NOT NULL DEFAULT false,
                    quota_bytes bigint,
                    quota_messages bigint
                )
                """,
                "CREATE UNIQUE INDEX accounts_name ON accounts (lower(name))",
                """
                CREATE TABLE mailboxes (
                    id bigserial PRIMARY KEY,
                    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    name text NOT NULL,
                    uidvalidity bigint NOT NULL,
                    uidnext bigint NOT NULL DEFAULT 1,
                    highestmodseq bigint NOT NULL DEFAULT 1,
                    first_recent_uid bigint NOT NULL DEFAULT 1,
                    special_use text,
                    noselect boolean NOT NULL DEFAULT false,
                    used_bytes bigint NOT NULL DEFAULT 0,
                    used_messages bigint NOT NULL DEFAULT 0,
                    UNIQUE (account_id, name)
                )
                """,
                """
                CREATE TABLE subscriptions (
                    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    name text NOT NULL,
                    PRIMARY KEY (account_id, name)
                )
                """,
                """
                CREATE TABLE contents (
                    id bigserial PRIMARY KEY,
                    sha256 bytea NOT NULL UNIQUE,
                    size bigint NOT NULL,
                    refs bigint NOT NULL DEFAULT 0
                )
                """,
                """
                CREATE TABLE content_chunks (
                    content_id bigint NOT NULL REFERENCES contents (id) ON DELETE CASCADE,
                    seq integer NOT NULL,
                    data bytea NOT NULL,
                    PRIMARY KEY (content_id, seq)
                )
                """,
                "CREATE SEQUENCE email_ids",
                """
                CREATE TABLE messages (
                    mailbox_id bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
                    uid bigint NOT NULL,
                    modseq bigint NOT NULL,
                    flags integer NOT NULL,
                    keywords text[] NOT NULL DEFAULT '{}',
                    internal_date double precision NOT NULL,
                    internal_zone integer NOT NULL,
                    save_date double precision NOT NULL,
                    size bigint NOT NULL,
                    content_id bigint NOT NULL REFERENCES contents (id),
                    email_id bigint NOT NULL,
                    PRIMARY KEY (mailbox_id, uid)
                )
                """,
                "CREATE INDEX messages_modseq ON messages (mailbox_id, modseq)",
                "CREATE INDEX messages_content ON messages (content_id)",
                "CREATE INDEX messages_email ON messages (email_id)",
                """
                CREATE TABLE structures (
                    email_id bigint PRIMARY KEY,
                    version integer NOT NULL,
                    data bytea NOT NULL,
                    derived_version integer,
                    derived_0 bytea,
                    derived_1 bytea,
                    derived_2 bytea
                )
                """,
                "CREATE INDEX messages_unseen ON messages (mailbox_id, uid) WHERE flags & 1 = 0",
                """
                CREATE TABLE expunged (
                    mailbox_id bigint NOT NULL REFERENCES mailboxes (id) ON DELETE CASCADE,
                    uid bigint NOT NULL,
                    modseq bigint NOT NULL,
                    PRIMARY KEY (mailbox_id, uid)
                )
                """,
                "CREATE INDEX expunged_modseq ON expunged (mailbox_id, modseq)",
                """
                CREATE FUNCTION message_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE contents SET refs = refs + 1 WHERE id = NEW.content_id;
                    UPDATE mailboxes SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
                        WHERE id = NEW.mailbox_id;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE FUNCTION message_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    UPDATE contents SET refs = refs - 1 WHERE id = OLD.content_id;
                    DELETE FROM contents WHERE id = OLD.content_id AND refs <= 0;
                    DELETE FROM structures WHERE email_id = OLD.email_id
                        AND NOT EXISTS (SELECT 1 FROM messages WHERE email_id = OLD.email_id);
                    UPDATE mailboxes SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
                        WHERE id = OLD.mailbox_id;
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER messages_inserted AFTER INSERT ON messages
                    FOR EACH ROW EXECUTE FUNCTION message_inserted()
                """,
                """
                CREATE TRIGGER messages_deleted AFTER DELETE ON messages
                    FOR EACH ROW EXECUTE FUNCTION message_deleted()
                """,
                """
                CREATE TABLE app_passwords (
                    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    label text NOT NULL,
                    stored_key bytea NOT NULL,
                    server_key bytea NOT NULL,
                    created double precision NOT NULL
                )
                """,
                "CREATE UNIQUE INDEX app_passwords_label ON app_passwords (account_id, lower(label))",
                """
                CREATE TABLE import_keys (
                    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    key text NOT NULL,
                    PRIMARY KEY (account_id, key)
                )
                """,
                """
                CREATE TABLE sieve_scripts (
                    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    name text NOT NULL,
                    source bytea NOT NULL,
                    active boolean NOT NULL DEFAULT false,
                    PRIMARY KEY (account_id, name)
                )
                """,
                """
                CREATE TABLE sieve_tracking (
                    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    kind text NOT NULL,
                    hash bytea NOT NULL,
                    expires double precision NOT NULL,
                    PRIMARY KEY (account_id, kind, hash)
                )
                """,
                "CREATE INDEX sieve_tracking_expires ON sieve_tracking (account_id, expires)",
            ]
        ),
        // Sort keys (`SortKeyData`) per message (EMAILID), like `structures`: copies share them and they
        // leave with the last copy.
        (
            2,
            [
                """
                CREATE TABLE sort_keys (
                    email_id bigint PRIMARY KEY,
                    version integer NOT NULL,
                    data bytea NOT NULL
                )
                """,
                """
                CREATE FUNCTION sort_keys_message_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    DELETE FROM sort_keys WHERE email_id = OLD.email_id
                        AND NOT EXISTS (SELECT 1 FROM messages WHERE email_id = OLD.email_id);
                    RETURN NULL;
                END $$
                """,
                """
                CREATE TRIGGER messages_sort_keys_deleted AFTER DELETE ON messages
                    FOR EACH ROW EXECUTE FUNCTION sort_keys_message_deleted()
                """,
            ]
        ),
        // METADATA entries (RFC 5464, see `MetadataStore`): mailbox_id 0 holds the server's entries. The
        // store removes a mailbox's entries when it deletes the mailbox or makes it a placeholder.
        (
            3,
            [
                """
                CREATE TABLE metadata (
                    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                    mailbox_id bigint NOT NULL,
                    name text NOT NULL,
                    value bytea NOT NULL,
                    PRIMARY KEY (account_id, mailbox_id, name)
                )
                """
            ]
        ),
    ]

    /// The advisory lock key that serialises migrations (any constant the schema's users agree on).
    static let migrationLockKey: Int64 = 0x706f_7374_6572_6e31

    /// The newest version this binary knows.
    static var latestVersion: Int { migrations.last?.version ?? 0 }
}

extension PostgresMailStore {
    /// Applies the migrations the database lacks, in one transaction under a transaction-level
    /// advisory lock: a second node starting at the same time waits, then finds nothing to do. A
    /// database migrated by a newer binary is refused (its schema may mean things this one does not know).
    public func migrate() async throws {
        try await write("migrate") { tx in
            // A migration may rewrite large tables, and a node waits here while another migrates.
            try await tx.rows("SET LOCAL statement_timeout = 0")
            try await tx.rows("SELECT pg_advisory_xact_lock(\(PostgresSchema.migrationLockKey))")
            if let schema, PostgresStoreURL.isIdentifier(schema) {
                try await tx.rows("CREATE SCHEMA IF NOT EXISTS \(unescaped: schema)")
            }
            try await tx.rows(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY, applied timestamptz NOT NULL DEFAULT now())
                """)
            let current =
                try await tx.row("SELECT coalesce(max(version), 0)::integer FROM schema_migrations")?
                .decode(Int32.self) ?? 0
            guard current <= PostgresSchema.latestVersion else {
                throw MailStoreError.internal(
                    "the database schema is version \(current), newer than this Postern knows "
                        + "(\(PostgresSchema.latestVersion))")
            }
            for migration in PostgresSchema.migrations where migration.version > current {
                for statement in migration.statements {
                    try await tx.rows(PostgresQuery(unsafeSQL: statement))
                }
                try await tx.rows("INSERT INTO schema_migrations (version) VALUES (\(Int32(migration.version)))")
                logger.notice("mail store: schema migrated", metadata: ["version": "\(migration.version)"])
            }
        }
    }
}

extension PostgresMailStore {
    /// Drops the store's schema with everything in it: for tests and tools that gave each store a
    /// schema of its own (`schema=` in the URL). Refused for a store without one.
    public func dropSchema() async throws {
        guard let schema, PostgresStoreURL.isIdentifier(schema) else {
            throw MailStoreError.internal("the store has no schema of its own")
        }
        try await write("drop schema") { tx in try await tx.rows("DROP SCHEMA \(unescaped: schema) CASCADE") }
    }
}

extension PostgresMailStore {
    /// The number of stored distinct texts and of their chunks (for tests: content is stored once and
    /// freed with its last message).
    func contentCounts() async throws -> (contents: Int, chunks: Int) {
        let rows = try await query(
            "count contents", "SELECT (SELECT count(*) FROM contents), (SELECT count(*) FROM content_chunks)")
        guard let row = rows.first else { return (0, 0) }
        let (contents, chunks) = try row.decode((Int64, Int64).self)
        return (Int(contents), Int(chunks))
    }
}
