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
        return migrator
    }
}
