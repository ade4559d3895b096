using Npgsql;

namespace ConferenceDemo.Storage.Postgres;

/// <summary>
/// Creates and upgrades the PostgreSQL schema at start. Each step runs once, recorded in schema_version; the upgrade
/// is one transaction under an advisory lock, so instances starting at once take turns instead of racing.
/// </summary>
public static class PostgresSchema
{
    /// <summary>The advisory lock namespace of this server (first key of every two-key lock it takes).</summary>
    public const int LockSpace = 0x43444D4F;

    /// <summary>Second keys within <see cref="LockSpace"/> (instance locks use random positive ids above these).</summary>
    public const int MigrationLock = -1;

    public const int FeedLock = -2;

    private static readonly string[] Steps =
    [
        """
        CREATE TABLE rooms (id text PRIMARY KEY, version bigint NOT NULL, state text NOT NULL);
        CREATE TABLE room_conferences (key text PRIMARY KEY, room text NOT NULL);
        CREATE TABLE room_legs (key text PRIMARY KEY, room text NOT NULL);
        CREATE TABLE inbox (seq bigserial NOT NULL, event_id text PRIMARY KEY, room text NOT NULL, input text NOT NULL,
            received_at bigint NOT NULL, applied_at bigint, owner integer NOT NULL);
        CREATE INDEX inbox_unapplied ON inbox (seq) WHERE applied_at IS NULL;
        CREATE TABLE outbox (seq bigserial NOT NULL, command_id text PRIMARY KEY, room text NOT NULL, command text NOT NULL,
            created_at bigint NOT NULL, answered_at bigint, owner integer NOT NULL);
        CREATE INDEX outbox_unanswered ON outbox (seq) WHERE answered_at IS NULL;
        CREATE TABLE room_events (seq bigserial PRIMARY KEY, room text NOT NULL, event text NOT NULL, at bigint NOT NULL);
        """,
        // The rooms created through the API, and the dial-in numbers they claim: the key makes a number reach one room.
        """
        CREATE TABLE room_settings (id text PRIMARY KEY, settings text NOT NULL);
        CREATE TABLE room_dial_in (number text PRIMARY KEY, room text NOT NULL);
        CREATE INDEX room_dial_in_by_room ON room_dial_in (room);
        """,
    ];

    public static int Version => Steps.Length;

    public static void Migrate(NpgsqlDataSource db)
    {
        ArgumentNullException.ThrowIfNull(db);
        using var connection = db.OpenConnection();
        using var tx = connection.BeginTransaction();
        Execute(connection, tx, $"SELECT pg_advisory_xact_lock({LockSpace}, {MigrationLock})");
        Execute(connection, tx, "CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)");
        using var read = new NpgsqlCommand("SELECT COALESCE(MAX(version), 0) FROM schema_version", connection, tx);
        var current = Convert.ToInt32(read.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Steps.Length)
        {
            throw new InvalidOperationException($"the PostgreSQL database is at schema version {current}, newer than this server's {Steps.Length}; run a newer server");
        }

        for (var step = current; step < Steps.Length; step++)
        {
            Execute(connection, tx, Steps[step]);
            Execute(connection, tx, $"INSERT INTO schema_version (version) VALUES ({step + 1})");
        }

        tx.Commit();
    }

    private static void Execute(NpgsqlConnection connection, NpgsqlTransaction tx, string sql)
    {
        using var command = new NpgsqlCommand(sql, connection, tx);
        command.ExecuteNonQuery();
    }
}
