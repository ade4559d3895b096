using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using Microsoft.Data.Sqlite;

namespace ConferenceDemo.Storage.Sqlite;

/// <summary>
/// Rooms, inbox and outbox in one SQLite file (WAL). A turn is one BEGIN IMMEDIATE transaction: it holds the file's
/// write lock, so the room it reads cannot change under it. Inbox inserts share commits through <see cref="GroupCommit"/>.
/// </summary>
/// <remarks>
/// Durability: the inbox writer's connection runs with synchronous=FULL, so the WAL is flushed to disk before a
/// webhook is answered 200, even against power loss. Turns run with synchronous=NORMAL (no flush of their own): the
/// WAL is one file written in order, so the next inbox commit flushes every turn before it; a turn lost with the
/// machine is decided again from its inbox row at the next start, with the same command ids.
/// </remarks>
public sealed class SqliteRoomStore : IRoomStore, IRoomJournal, IAsyncDisposable
{
    private readonly string _connectionString;
    private readonly TimeProvider _clock;
    private readonly GroupCommit _inboxWriter;
    private SqliteConnection? _writerConnection;

    public SqliteRoomStore(string connectionString, TimeProvider clock)
    {
        _connectionString = new SqliteConnectionStringBuilder(connectionString) { Pooling = true }.ConnectionString;
        _clock = clock;
        SqliteSchema.Migrate(_connectionString);
        _inboxWriter = new GroupCommit(WriteInboxBatchAsync);
    }

    public GroupCommit InboxWriter => _inboxWriter;

    internal SqliteConnection Open(bool flush = false)
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragmas = connection.CreateCommand();
        pragmas.CommandText = $"PRAGMA busy_timeout = 30000; PRAGMA synchronous = {(flush ? "FULL" : "NORMAL")}; PRAGMA foreign_keys = OFF;";
        pragmas.ExecuteNonQuery();
        return connection;
    }

    public async ValueTask<Room?> GetAsync(string roomId, CancellationToken ct = default) =>
        (await ReadJsonAsync<Room>("SELECT state FROM rooms WHERE id = $k AND version > 0", roomId, ct)).SingleOrDefault();

    public async ValueTask<IReadOnlyList<Room>> ListAsync(CancellationToken ct = default) =>
        await ReadJsonAsync<Room>("SELECT state FROM rooms WHERE version > 0 ORDER BY id", key: null, ct);

    /// <summary>The JSON of the first column of each row of <paramref name="sql"/> ($k bound to <paramref name="key"/>), read back.</summary>
    internal async ValueTask<List<T>> ReadJsonAsync<T>(string sql, string? key, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        if (key is not null)
        {
            command.Parameters.AddWithValue("$k", key);
        }

        var rows = new List<T>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(StorageJson.Deserialize<T>(reader.GetString(0)));
        }

        return rows;
    }

    public async ValueTask<Decision?> DecideAsync(string roomId, Func<Room, Decision> decide, TurnMarks marks, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        await using var connection = Open();
        await using var tx = connection.BeginTransaction(deferred: false); // BEGIN IMMEDIATE: the write lock, now
        if (marks.AppliedEvent is { } eventId
            && Scalar(connection, tx, "SELECT applied_at IS NOT NULL FROM inbox WHERE event_id = $k", eventId) is long and 1)
        {
            return null;
        }

        if (marks.AnsweredCommand is { } commandId
            && Scalar(connection, tx, "SELECT answered_at IS NULL FROM outbox WHERE command_id = $k", commandId) is not (long and 1))
        {
            return null;
        }

        var stored = Scalar(connection, tx, "SELECT state FROM rooms WHERE id = $k", roomId) as string;
        var room = stored is null ? Room.Create(roomId, Guid.NewGuid()) : StorageJson.Deserialize<Room>(stored);
        var decision = decide(room);
        Write(connection, tx, TurnRows.Of(room, decision, marks, _clock.GetUtcNow()));
        await tx.CommitAsync(ct);
        return decision;
    }

    /// <summary>The turn's rows; the transaction's write lock is the room's lock, so the state needs no version check.</summary>
    private static void Write(SqliteConnection connection, SqliteTransaction tx, TurnRows rows)
    {
        if (rows.State is { } state)
        {
            Execute(connection, tx, """
                INSERT INTO rooms (id, version, state) VALUES ($id, $version, $state)
                ON CONFLICT (id) DO UPDATE SET version = excluded.version, state = excluded.state
                """, ("$id", rows.RoomId), ("$version", state.Version), ("$state", state.State));
        }

        foreach (var index in rows.Index)
        {
            Execute(connection, tx, index.Added
                ? $"INSERT INTO {index.Table} (key, room) VALUES ($k, $r) ON CONFLICT (key) DO UPDATE SET room = excluded.room"
                : $"DELETE FROM {index.Table} WHERE key = $k AND room = $r", ("$k", index.Key), ("$r", rows.RoomId));
        }

        foreach (var command in rows.Commands)
        {
            Execute(connection, tx, "INSERT INTO outbox (command_id, room, command, created_at) VALUES ($id, $room, $command, $now)",
                ("$id", command.CommandId), ("$room", rows.RoomId), ("$command", command.Command), ("$now", rows.At));
        }

        foreach (var e in rows.Events)
        {
            Execute(connection, tx, "INSERT INTO room_events (room, event, at) VALUES ($room, $event, $now)", ("$room", rows.RoomId), ("$event", e), ("$now", rows.At));
        }

        if (rows.AppliedEvent is { } applied)
        {
            Execute(connection, tx, "UPDATE inbox SET applied_at = $now WHERE event_id = $id", ("$id", applied), ("$now", rows.At));
        }

        if (rows.AnsweredCommand is { } answered)
        {
            Execute(connection, tx, "UPDATE outbox SET answered_at = $now WHERE command_id = $id", ("$id", answered), ("$now", rows.At));
        }
    }

    public async ValueTask<string?> FindRoomOfConferenceAsync(string conferenceId, CancellationToken ct = default) =>
        await LookupAsync("SELECT room FROM room_conferences WHERE key = $k", conferenceId, ct);

    public async ValueTask<string?> FindRoomOfLegAsync(string callControlId, CancellationToken ct = default) =>
        await LookupAsync("SELECT room FROM room_legs WHERE key = $k", callControlId, ct);

    public ValueTask<bool> TryAddAsync(InboxEntry entry, CancellationToken ct = default) => _inboxWriter.AddAsync(entry, ct);

    public async ValueTask<IReadOnlyList<InboxEntry>> UnappliedAsync(CancellationToken ct = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT event_id, room, input, received_at FROM inbox WHERE applied_at IS NULL ORDER BY seq";
        var entries = new List<InboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new InboxEntry(reader.GetString(0), reader.GetString(1), StorageJson.Deserialize<RoomInput>(reader.GetString(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return entries;
    }

    public async ValueTask<IReadOnlyList<OutboxEntry>> UnansweredAsync(CancellationToken ct = default)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT room, command FROM outbox WHERE answered_at IS NULL ORDER BY rowid";
        var entries = new List<OutboxEntry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new OutboxEntry(reader.GetString(0), StorageJson.Deserialize<RoomCommand>(reader.GetString(1))));
        }

        return entries;
    }

    public async ValueTask<(int Events, int Commands)> RemoveOldAsync(DateTimeOffset inboxBefore, DateTimeOffset outboxBefore, CancellationToken ct = default)
    {
        await using var connection = Open();
        await using var tx = connection.BeginTransaction(deferred: false);
        var events = Execute(connection, tx, "DELETE FROM inbox WHERE applied_at IS NOT NULL AND received_at < $before",
            ("$before", inboxBefore.ToUnixTimeMilliseconds()));
        var commands = Execute(connection, tx, "DELETE FROM outbox WHERE answered_at < $before", ("$before", outboxBefore.ToUnixTimeMilliseconds()));
        Execute(connection, tx, "DELETE FROM room_events WHERE at < $before", ("$before", outboxBefore.ToUnixTimeMilliseconds()));
        await tx.CommitAsync(ct);
        return (events, commands);
    }

    private async Task<bool[]> WriteInboxBatchAsync(IReadOnlyList<InboxEntry> entries, CancellationToken ct)
    {
        _writerConnection ??= Open(flush: true);
        await using var tx = _writerConnection.BeginTransaction(deferred: false);
        var added = new bool[entries.Count];
        await using var insert = _writerConnection.CreateCommand();
        insert.Transaction = tx;
        insert.CommandText = """
            INSERT INTO inbox (event_id, room, input, received_at) VALUES ($id, $room, $input, $at)
            ON CONFLICT (event_id) DO NOTHING
            """;
        var id = insert.Parameters.Add("$id", SqliteType.Text);
        var room = insert.Parameters.Add("$room", SqliteType.Text);
        var input = insert.Parameters.Add("$input", SqliteType.Text);
        var at = insert.Parameters.Add("$at", SqliteType.Integer);
        try
        {
            for (var i = 0; i < entries.Count; i++)
            {
                id.Value = entries[i].EventId;
                room.Value = entries[i].Room;
                input.Value = StorageJson.Serialize(entries[i].Input);
                at.Value = entries[i].ReceivedAt.ToUnixTimeMilliseconds();
                added[i] = await insert.ExecuteNonQueryAsync(ct) == 1;
            }

            await tx.CommitAsync(ct);
        }
        catch
        {
            // Nothing of the batch is kept; the next batch starts on a fresh connection.
            await tx.DisposeAsync();
            await _writerConnection.DisposeAsync();
            _writerConnection = null;
            throw;
        }

        return added;
    }

    private async ValueTask<string?> LookupAsync(string sql, string key, CancellationToken ct)
    {
        await using var connection = Open();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$k", key);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static object? Scalar(SqliteConnection connection, SqliteTransaction tx, string sql, string key)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$k", key);
        return command.ExecuteScalar();
    }

    internal static int Execute(SqliteConnection connection, SqliteTransaction tx, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = connection.CreateCommand();
        command.Transaction = tx;
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return command.ExecuteNonQuery();
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // the container and the storage both dispose it
        }

        await _inboxWriter.DisposeAsync();
        if (_writerConnection is not null)
        {
            await _writerConnection.DisposeAsync();
        }
    }
}
