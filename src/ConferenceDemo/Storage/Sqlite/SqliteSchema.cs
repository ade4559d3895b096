using Microsoft.Data.Sqlite;

namespace ConferenceDemo.Storage.Sqlite;

/// <summary>
/// Creates and upgrades the SQLite schema at start. Each step runs once, recorded in schema_version; the whole
/// upgrade is one BEGIN IMMEDIATE transaction, so two servers starting on one file take turns.
/// </summary>
public static class SqliteSchema
{
    /// <summary>The upgrade steps, in order; step n brings the schema to version n + 1. Never edit a released step.</summary>
    private static readonly string[] Steps =
    [
        """
        CREATE TABLE rooms (id TEXT PRIMARY KEY, version INTEGER NOT NULL, state TEXT NOT NULL);
        CREATE TABLE room_conferences (key TEXT PRIMARY KEY, room TEXT NOT NULL);
        CREATE TABLE room_legs (key TEXT PRIMARY KEY, room TEXT NOT NULL);
        CREATE TABLE inbox (seq INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, room TEXT NOT NULL,
            input TEXT NOT NULL, received_at INTEGER NOT NULL, applied_at INTEGER);
        CREATE INDEX inbox_unapplied ON inbox (seq) WHERE applied_at IS NULL;
        CREATE TABLE outbox (command_id TEXT PRIMARY KEY, room TEXT NOT NULL, command TEXT NOT NULL,
            created_at INTEGER NOT NULL, answered_at INTEGER);
        CREATE TABLE room_events (seq INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, event TEXT NOT NULL, at INTEGER NOT NULL);
        """,
        // The rooms created through the API, and the dial-in numbers they claim: the key makes a number reach one room.
        """
        CREATE TABLE room_settings (id TEXT PRIMARY KEY, settings TEXT NOT NULL);
        CREATE TABLE room_dial_in (number TEXT PRIMARY KEY, room TEXT NOT NULL);
        CREATE INDEX room_dial_in_by_room ON room_dial_in (room);
        """,
    ];

    public static int Version => Steps.Length;

    public static void Migrate(string connectionString)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (Path.GetDirectoryName(Path.GetFullPath(builder.DataSource)) is { Length: > 0 } folder
            && builder.Mode != SqliteOpenMode.Memory && !builder.DataSource.StartsWith(':'))
        {
            Directory.CreateDirectory(folder);
        }

        using var connection = new SqliteConnection(connectionString);
        connection.Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode = WAL; PRAGMA busy_timeout = 30000;";
            wal.ExecuteNonQuery();
        }

        using var tx = connection.BeginTransaction(deferred: false);
        using (var create = connection.CreateCommand())
        {
            create.Transaction = tx;
            create.CommandText = "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)";
            create.ExecuteNonQuery();
        }

        long current;
        using (var read = connection.CreateCommand())
        {
            read.Transaction = tx;
            read.CommandText = "SELECT COALESCE(MAX(version), 0) FROM schema_version";
            current = (long)read.ExecuteScalar()!;
        }

        if (current > Steps.Length)
        {
            throw new InvalidOperationException($"the SQLite database is at schema version {current}, newer than this server's {Steps.Length}; run a newer server");
        }

        for (var step = (int)current; step < Steps.Length; step++)
        {
            using var upgrade = connection.CreateCommand();
            upgrade.Transaction = tx;
            upgrade.CommandText = $"{Steps[step]}\nINSERT INTO schema_version (version) VALUES ({step + 1});";
            upgrade.ExecuteNonQuery();
        }

        tx.Commit();
    }
}
