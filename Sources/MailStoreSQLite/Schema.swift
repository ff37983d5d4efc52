import GRDB

/// The versioned schema. Never edit a registered migration: add a new one.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE accounts (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
                        salt BLOB NOT NULL,
                        iterations INTEGER NOT NULL,
                        stored_key BLOB NOT NULL,
                        server_key BLOB NOT NULL,
                        created REAL NOT NULL,
                        -- the largest UIDVALIDITY ever given to a mailbox of this account
                        last_uidvalidity INTEGER NOT NULL DEFAULT 0
                    );
                    CREATE TABLE mailboxes (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        uidvalidity INTEGER NOT NULL,
                        uidnext INTEGER NOT NULL DEFAULT 1,
                        highestmodseq INTEGER NOT NULL DEFAULT 1,
                        first_recent_uid INTEGER NOT NULL DEFAULT 1,
                        special_use TEXT,
                        noselect INTEGER NOT NULL DEFAULT 0,
                        UNIQUE (account_id, name)
                    );
                    CREATE TABLE subscriptions (
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        PRIMARY KEY (account_id, name)
                    ) WITHOUT ROWID;
                    CREATE TABLE messages (
                        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                        uid INTEGER NOT NULL,
                        modseq INTEGER NOT NULL,
                        flags INTEGER NOT NULL,
                        keywords TEXT NOT NULL DEFAULT '',
                        internal_date REAL NOT NULL,
                        size INTEGER NOT NULL,
                        blob TEXT NOT NULL,
                        PRIMARY KEY (mailbox_id, uid)
                    ) WITHOUT ROWID;
                    CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);
                    CREATE INDEX messages_blob ON messages (blob);
                    CREATE TABLE expunged (
                        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                        uid INTEGER NOT NULL,
                        modseq INTEGER NOT NULL,
                        PRIMARY KEY (mailbox_id, uid)
                    ) WITHOUT ROWID;
                    CREATE INDEX expunged_modseq ON expunged (mailbox_id, modseq);
                    """)
        }
        // v2: SAVEDATE (RFC 8514) per message, and parse results (structures) per content file.
        // `messages` is rebuilt (SQLite cannot add a NOT NULL column without a constant default);
        // old rows get their internal date as save date. Structures live in their own rowid table
        // keyed by content id: `messages` is WITHOUT ROWID and must keep small rows (large values
        // in its b-tree would slow every scan), copies share one parse result, and a parser upgrade
        // re-parses each content once.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE messages_v2 (
                        mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
                        uid INTEGER NOT NULL,
                        modseq INTEGER NOT NULL,
                        flags INTEGER NOT NULL,
                        keywords TEXT NOT NULL DEFAULT '',
                        internal_date REAL NOT NULL,
                        save_date REAL NOT NULL,
                        size INTEGER NOT NULL,
                        blob TEXT NOT NULL,
                        PRIMARY KEY (mailbox_id, uid)
                    ) WITHOUT ROWID;
                    INSERT INTO messages_v2
                        (mailbox_id, uid, modseq, flags, keywords, internal_date, save_date, size, blob)
                        SELECT mailbox_id, uid, modseq, flags, keywords, internal_date, internal_date, size, blob
                        FROM messages;
                    DROP TABLE messages;
                    ALTER TABLE messages_v2 RENAME TO messages;
                    CREATE INDEX messages_modseq ON messages (mailbox_id, modseq);
                    CREATE INDEX messages_blob ON messages (blob);
                    CREATE TABLE structures (
                        blob TEXT NOT NULL PRIMARY KEY,
                        version INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    """)
        }
        // v3: partial indexes for what SELECT and SEARCH ask of large mailboxes (`Benchmarks/run.sh bigmailbox`): the unseen
        // messages (first unseen, SEARCH UNSEEN, STATUS UNSEEN) and the keywords in use (the FLAGS
        // response), so neither scans every message. `flags` is in the unseen index so that a query
        // of UIDs by flags reads the index alone. SQLite uses a partial index only when the query
        // repeats its WHERE term literally: see `SQLiteMailStore.unseenTerm`.
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    CREATE INDEX messages_unseen ON messages (mailbox_id, uid, flags) WHERE flags & 1 = 0;
                    CREATE INDEX messages_keywords ON messages (mailbox_id, keywords) WHERE keywords <> '';
                    """)
        }
        // v4: the IMAP text of ENVELOPE, BODY and BODYSTRUCTURE next to each parse result (see
        // `DerivedTexts`); NULL for parse results stored before.
        migrator.registerMigration("v4") { db in
            try db.execute(
                sql: """
                    ALTER TABLE structures ADD COLUMN rendered_version INTEGER;
                    ALTER TABLE structures ADD COLUMN envelope BLOB;
                    ALTER TABLE structures ADD COLUMN body BLOB;
                    ALTER TABLE structures ADD COLUMN bodystructure BLOB;
                    """)
        }
        // v5: renderings per message, keyed by `mailbox_id << 32 | uid`, so that FETCH of a whole
        // mailbox's ENVELOPE/BODYSTRUCTURE reads one range of one table in key order instead of joining
        // `messages` to `structures` per message through the content id (with a parse result on every
        // page it reads): at 100,000 messages that join read about 250 MB of pages per FETCH (`Benchmarks/run.sh bigmailbox`).
        // Triggers keep the table equal to `messages ⋈ structures` whatever writes either (append, copy,
        // move, expunge, mailbox deletion by cascade, a parse result stored later), so no write path has
        // to know about it. `structures` keeps its copy (the renderings of a content file are the same
        // for all its messages; ~1 KB a message more).
        migrator.registerMigration("v5") { db in
            let rendering = "s.version, s.rendered_version, s.envelope, s.body, s.bodystructure"
            // A parse result stored (or stored again, with or without a rendering): every message of that
            // content gets its rendering anew.
            let structureStored = """
                    DELETE FROM renderings
                        WHERE key IN (SELECT (m.mailbox_id << 32) | m.uid FROM messages m WHERE m.blob = NEW.blob);
                    INSERT INTO renderings
                        SELECT (m.mailbox_id << 32) | m.uid, NEW.version, NEW.rendered_version, NEW.envelope,
                            NEW.body, NEW.bodystructure
                        FROM messages m WHERE m.blob = NEW.blob AND NEW.rendered_version IS NOT NULL;
                """
            try db.execute(
                sql: """
                    CREATE TABLE renderings (
                        key INTEGER PRIMARY KEY,
                        structure_version INTEGER NOT NULL,
                        version INTEGER NOT NULL,
                        envelope BLOB,
                        body BLOB,
                        bodystructure BLOB
                    );
                    INSERT INTO renderings
                        SELECT (m.mailbox_id << 32) | m.uid, \(rendering)
                        FROM messages m JOIN structures s ON s.blob = m.blob WHERE s.rendered_version IS NOT NULL;
                    CREATE TRIGGER renderings_message_insert AFTER INSERT ON messages BEGIN
                        INSERT OR REPLACE INTO renderings
                            SELECT (NEW.mailbox_id << 32) | NEW.uid, \(rendering)
                            FROM structures s WHERE s.blob = NEW.blob AND s.rendered_version IS NOT NULL;
                    END;
                    CREATE TRIGGER renderings_message_delete AFTER DELETE ON messages BEGIN
                        DELETE FROM renderings WHERE key = (OLD.mailbox_id << 32) | OLD.uid;
                    END;
                    CREATE TRIGGER renderings_message_update AFTER UPDATE OF mailbox_id, uid, blob ON messages BEGIN
                        DELETE FROM renderings WHERE key = (OLD.mailbox_id << 32) | OLD.uid;
                        INSERT OR REPLACE INTO renderings
                            SELECT (NEW.mailbox_id << 32) | NEW.uid, \(rendering)
                            FROM structures s WHERE s.blob = NEW.blob AND s.rendered_version IS NOT NULL;
                    END;
                    CREATE TRIGGER renderings_structure_insert AFTER INSERT ON structures BEGIN
                    \(structureStored)
                    END;
                    CREATE TRIGGER renderings_structure_update AFTER UPDATE ON structures BEGIN
                    \(structureStored)
                    END;
                    """)
        }
        // The largest UIDVALIDITY ever given, across all accounts: an account deleted and made again
        // under the same name would otherwise start from the clock again and could give its new
        // INBOX the UIDVALIDITY of the old one (RFC 9051 §2.3.1.1: a UIDVALIDITY with other UIDs must
        // not come back).
        migrator.registerMigration("v6") { db in
            try db.execute(
                sql: """
                    CREATE TABLE store_state (
                        id INTEGER PRIMARY KEY CHECK (id = 1),
                        last_uidvalidity INTEGER NOT NULL
                    );
                    INSERT INTO store_state (id, last_uidvalidity) VALUES (1, max(
                        (SELECT coalesce(max(last_uidvalidity), 0) FROM accounts),
                        (SELECT coalesce(max(uidvalidity), 0) FROM mailboxes)));
                    """)
        }
        // The time zone of each message's internal date (minutes east of UTC), so FETCH INTERNALDATE
        // shows the date-time as APPEND gave it (RFC 9051 §2.3.3). Older rows are UTC.
        migrator.registerMigration("v7") { db in
            try db.execute(sql: "ALTER TABLE messages ADD COLUMN internal_zone INTEGER NOT NULL DEFAULT 0")
        }
        // A counter of account deletions, raised by a trigger whoever deletes (the server or a
        // `postern user delete` beside it): the server watches it to end the deleted account's sessions.
        migrator.registerMigration("v8") { db in
            try db.execute(
                sql: """
                    ALTER TABLE store_state ADD COLUMN accounts_deleted INTEGER NOT NULL DEFAULT 0;
                    CREATE TRIGGER accounts_deleted AFTER DELETE ON accounts BEGIN
                        UPDATE store_state SET accounts_deleted = accounts_deleted + 1;
                    END;
                    """)
        }
        // Quota (RFC 9208): each mailbox's usage (its messages' number and total size), kept exact by
        // triggers whoever writes (the server, a CLI beside it) in the transaction of the write itself,
        // so that a quota check and the write it admits see the same figures. The counters live on the
        // mailbox row, which every append, copy and expunge already rewrites: they cost no extra page
        // per commit (`Benchmarks/run.sh append`); an account's usage is the sum over its few mailboxes.
        // Limits: the account's own (`quota_own` = 0: the default in `store_state` applies).
        migrator.registerMigration("v9") { db in
            try db.execute(
                sql: """
                    ALTER TABLE mailboxes ADD COLUMN used_bytes INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE mailboxes ADD COLUMN used_messages INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE accounts ADD COLUMN quota_own INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE accounts ADD COLUMN quota_bytes INTEGER;
                    ALTER TABLE accounts ADD COLUMN quota_messages INTEGER;
                    ALTER TABLE store_state ADD COLUMN default_quota_bytes INTEGER;
                    ALTER TABLE store_state ADD COLUMN default_quota_messages INTEGER;
                    UPDATE mailboxes SET
                        used_bytes = (SELECT coalesce(sum(size), 0) FROM messages WHERE mailbox_id = mailboxes.id),
                        used_messages = (SELECT count(*) FROM messages WHERE mailbox_id = mailboxes.id);
                    CREATE TRIGGER quota_message_insert AFTER INSERT ON messages BEGIN
                        UPDATE mailboxes SET used_bytes = used_bytes + NEW.size, used_messages = used_messages + 1
                            WHERE id = NEW.mailbox_id;
                    END;
                    CREATE TRIGGER quota_message_delete AFTER DELETE ON messages BEGIN
                        UPDATE mailboxes SET used_bytes = used_bytes - OLD.size, used_messages = used_messages - 1
                            WHERE id = OLD.mailbox_id;
                    END;
                    """)
        }
        // App passwords: named verifiers of an account, sharing its salt and iteration count.
        migrator.registerMigration("v10") { db in
            try db.execute(
                sql: """
                    CREATE TABLE app_passwords (
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        label TEXT NOT NULL COLLATE NOCASE,
                        stored_key BLOB NOT NULL,
                        server_key BLOB NOT NULL,
                        created REAL NOT NULL,
                        PRIMARY KEY (account_id, label)
                    );
                    """)
        }
        // The import ledger: the source keys of imported messages per account (see `MailStore`,
        // "Import ledger"), written in the transaction of the append. The primary key serves both the
        // check of one key and the listing of the keys with a prefix.
        migrator.registerMigration("v11") { db in
            try db.execute(
                sql: """
                    CREATE TABLE import_keys (
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        key TEXT NOT NULL,
                        PRIMARY KEY (account_id, key)
                    ) WITHOUT ROWID;
                    """)
        }
        // Mailboxes changed by other processes (`ChangeAnnouncements`): written by tools, read by the server.
        migrator.registerMigration("v12") { db in
            try db.execute(
                sql: "CREATE TABLE change_log (seq INTEGER PRIMARY KEY AUTOINCREMENT, mailbox_id INTEGER NOT NULL)")
        }
        // Sieve: each account's scripts (small, bounded: `SieveScriptName.Limits`), at most one active
        // (a partial unique index, which also makes reading the active script one index probe), and what
        // delivery tracks for vacation and duplicate (a SHA-256 of the key until it expires; the second
        // index finds the expired rows to drop).
        migrator.registerMigration("v13") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sieve_scripts (
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        name TEXT NOT NULL,
                        source BLOB NOT NULL,
                        active INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (account_id, name)
                    );
                    CREATE UNIQUE INDEX sieve_scripts_active ON sieve_scripts (account_id) WHERE active = 1;
                    CREATE TABLE sieve_tracking (
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        kind TEXT NOT NULL,
                        key_hash BLOB NOT NULL,
                        expires_at REAL NOT NULL,
                        PRIMARY KEY (account_id, kind, key_hash)
                    ) WITHOUT ROWID;
                    CREATE INDEX sieve_tracking_expiry ON sieve_tracking (account_id, expires_at);
                    """)
        }
        // Sort keys per message (opaque to the store, see `SortKeyData`), keyed like `renderings` by
        // `mailbox_id << 32 | uid`, so that a SORT reads a mailbox's keys as one key range. Triggers drop
        // a message's keys when the message goes or changes identity.
        migrator.registerMigration("v14") { db in
            try db.execute(
                sql: """
                    CREATE TABLE sort_keys (
                        key INTEGER PRIMARY KEY,
                        version INTEGER NOT NULL,
                        data BLOB NOT NULL
                    );
                    CREATE TRIGGER sort_keys_message_delete AFTER DELETE ON messages BEGIN
                        DELETE FROM sort_keys WHERE key = (OLD.mailbox_id << 32) | OLD.uid;
                    END;
                    CREATE TRIGGER sort_keys_message_update AFTER UPDATE OF mailbox_id, uid, blob ON messages BEGIN
                        DELETE FROM sort_keys WHERE key = (OLD.mailbox_id << 32) | OLD.uid;
                    END;
                    """)
        }
        // The full-text index (see `SearchDocumentMaker`): one document per content file, kept as FTS5
        // trigrams without positions (`detail = none`: a third of the size; a search looks up each
        // three-character piece of a term on its own and re-checks the candidates anyway), case-sensitive
        // because documents and terms arrive folded. `complete` = 0 marks a content whose document was
        // too large to keep: its messages are candidates of every search. Each message names its
        // content's document once made; NULL (every message of an older store, each new one until the
        // indexer reaches it) means not indexed yet, and the partial index finds those.
        migrator.registerMigration("v15") { db in
            try db.execute(
                sql: """
                    CREATE TABLE search_docs (
                        id INTEGER PRIMARY KEY,
                        blob TEXT NOT NULL UNIQUE,
                        version INTEGER NOT NULL,
                        complete INTEGER NOT NULL,
                        bytes INTEGER NOT NULL
                    );
                    CREATE INDEX search_docs_incomplete ON search_docs (id) WHERE complete = 0;
                    CREATE VIRTUAL TABLE search_text USING fts5(
                        text, tokenize = 'trigram case_sensitive 1', detail = none);
                    ALTER TABLE messages ADD COLUMN search_doc INTEGER;
                    CREATE INDEX messages_unindexed ON messages (mailbox_id, uid) WHERE search_doc IS NULL;
                    """)
        }
        // METADATA entries (RFC 5464, see `MetadataStore`): mailbox_id 0 holds the server's entries. A
        // mailbox's entries go when it is deleted or becomes a \Noselect placeholder (triggers), an
        // account's with the account.
        migrator.registerMigration("v16") { db in
            try db.execute(
                sql: """
                    CREATE TABLE metadata (
                        account_id INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
                        mailbox_id INTEGER NOT NULL,
                        name TEXT NOT NULL,
                        value BLOB NOT NULL,
                        PRIMARY KEY (account_id, mailbox_id, name)
                    ) WITHOUT ROWID;
                    CREATE INDEX metadata_mailbox ON metadata (mailbox_id) WHERE mailbox_id != 0;
                    CREATE TRIGGER metadata_mailbox_delete AFTER DELETE ON mailboxes BEGIN
                        DELETE FROM metadata WHERE mailbox_id = OLD.id;
                    END;
                    CREATE TRIGGER metadata_mailbox_noselect AFTER UPDATE OF noselect ON mailboxes
                    WHEN NEW.noselect != 0 BEGIN
                        DELETE FROM metadata WHERE mailbox_id = OLD.id;
                    END;
                    """)
        }
        return migrator
    }

    /// Creates a database at `path` with the migrations up to `version` only, then runs `sql`.
    /// For tests: builds a database as an older release left it.
    static func makeDatabase(path: String, upTo version: String, then sql: String) throws {
        let queue = try DatabaseQueue(path: path)
        try migrator.migrate(queue, upTo: version)
        try queue.write { db in try db.execute(sql: sql) }
    }
}
