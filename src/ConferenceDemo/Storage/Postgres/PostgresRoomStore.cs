using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using Npgsql;
using NpgsqlTypes;

namespace ConferenceDemo.Storage.Postgres;

/// <summary>
/// Rooms, inbox and outbox in PostgreSQL, shared by every instance. A turn is one transaction: the room row locked
/// with SELECT … FOR UPDATE and written back with a version check, the outbox rows of its commands, its events (with a
/// NOTIFY that fires at commit) and the inbox or outbox mark. The inbox and outbox marks are locked first, so two
/// instances can never both decide one event or one answer.
/// </summary>
/// <remarks>
/// Each instance holds an advisory lock on its own random id for as long as it runs, and stamps its inbox and outbox
/// rows with that id. At start, rows whose instance no longer holds its lock were left by a crash and are taken over;
/// rows of an instance that is still running are left to it.
/// </remarks>
public sealed class PostgresRoomStore : IRoomStore, IRoomJournal, IAsyncDisposable
{
    public const string Channel = "conferencedemo_room_events";

    private readonly NpgsqlDataSource _db;
    private readonly TimeProvider _clock;
    private readonly NpgsqlConnection _presence;
    private readonly SemaphoreSlim _presenceGate = new(1, 1);
    private readonly GroupCommit _inboxWriter;
    private NpgsqlConnection? _writerConnection;

    public PostgresRoomStore(NpgsqlDataSource db, TimeProvider clock)
    {
        _db = db;
        _clock = clock;
        PostgresSchema.Migrate(db);
        _presence = db.OpenConnection();
        Instance = ClaimInstanceId();
        _inboxWriter = new GroupCommit(WriteInboxBatchAsync);
    }

    /// <summary>This instance's id, held as an advisory lock while it runs.</summary>
    public int Instance { get; }

    public GroupCommit InboxWriter => _inboxWriter;

    private int ClaimInstanceId()
    {
        while (true)
        {
            var candidate = Random.Shared.Next(1, int.MaxValue);
            using var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({PostgresSchema.LockSpace}, @id)", _presence);
            command.Parameters.AddWithValue("id", candidate);
            if (command.ExecuteScalar() is true)
            {
                return candidate;
            }
        }
    }

    public async ValueTask<Room?> GetAsync(string roomId, CancellationToken ct = default) =>
        (await ReadJsonAsync<Room>(_db, "SELECT state FROM rooms WHERE id = @k AND version > 0", roomId, ct)).SingleOrDefault();

    public async ValueTask<IReadOnlyList<Room>> ListAsync(CancellationToken ct = default) =>
        await ReadJsonAsync<Room>(_db, "SELECT state FROM rooms WHERE version > 0 ORDER BY id", key: null, ct);

    /// <summary>The JSON of the first column of each row of <paramref name="sql"/> (@k bound to <paramref name="key"/>), read back.</summary>
    internal static async ValueTask<List<T>> ReadJsonAsync<T>(NpgsqlDataSource db, string sql, string? key, CancellationToken ct)
    {
        await using var command = db.CreateCommand(sql);
        if (key is not null)
        {
            command.Parameters.AddWithValue("k", key);
        }

        await using var reader = await command.ExecuteReaderAsync(ct);
        var rows = new List<T>();
        while (await reader.ReadAsync(ct))
        {
            rows.Add(StorageJson.Deserialize<T>(reader.GetString(0)));
        }

        return rows;
    }

    public async ValueTask<Decision?> DecideAsync(string roomId, Func<Room, Decision> decide, TurnMarks marks, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(decide);
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // The turn does not wait for its WAL to reach the disk (the inbox insert before every 200 does): WAL is one
        // stream, so the next inbox commit flushes this turn too, and a turn lost with the database server is decided
        // again from its inbox row, with the same command ids. Without the wait, the feed's lock below is held for
        // the writes only, not for a flush.
        await ExecuteAsync(connection, tx, "SET LOCAL synchronous_commit TO OFF", ct);
        if (marks.AppliedEvent is { } eventId
            && await ScalarAsync(connection, tx, "SELECT applied_at IS NOT NULL FROM inbox WHERE event_id = @k FOR UPDATE", ct, ("k", eventId)) is true)
        {
            return null;
        }

        if (marks.AnsweredCommand is { } commandId
            && await ScalarAsync(connection, tx, "SELECT answered_at IS NULL FROM outbox WHERE command_id = @k FOR UPDATE", ct, ("k", commandId)) is not true)
        {
            return null;
        }

        await ExecuteAsync(connection, tx, "INSERT INTO rooms (id, version, state) VALUES (@id, 0, @state) ON CONFLICT (id) DO NOTHING", ct,
            ("id", roomId), ("state", StorageJson.Serialize(Room.Create(roomId, Guid.NewGuid()))));
        var stored = (string)(await ScalarAsync(connection, tx, "SELECT state FROM rooms WHERE id = @k FOR UPDATE", ct, ("k", roomId)))!;
        var room = StorageJson.Deserialize<Room>(stored);
        var decision = decide(room);
        await WriteAsync(connection, tx, TurnRows.Of(room, decision, marks, _clock.GetUtcNow()), ct);
        await tx.CommitAsync(ct);
        return decision;
    }

    /// <summary>The turn's rows: the state with a version check, the outbox rows owned by this instance, the events in commit order.</summary>
    private async Task WriteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, TurnRows rows, CancellationToken ct)
    {
        if (rows.State is { } state)
        {
            var updated = await ExecuteAsync(connection, tx, "UPDATE rooms SET version = @next, state = @state WHERE id = @id AND version = @version", ct,
                ("id", rows.RoomId), ("version", state.ReadVersion), ("next", state.Version), ("state", state.State));
            if (updated != 1)
            {
                throw new InvalidOperationException($"room {rows.RoomId} changed under its lock (version {state.ReadVersion})");
            }
        }

        foreach (var index in rows.Index)
        {
            await ExecuteAsync(connection, tx, index.Added
                ? $"INSERT INTO {index.Table} (key, room) VALUES (@k, @r) ON CONFLICT (key) DO UPDATE SET room = excluded.room"
                : $"DELETE FROM {index.Table} WHERE key = @k AND room = @r", ct, ("k", index.Key), ("r", rows.RoomId));
        }

        foreach (var command in rows.Commands)
        {
            await ExecuteAsync(connection, tx, "INSERT INTO outbox (command_id, room, command, created_at, owner) VALUES (@id, @room, @command, @now, @owner)", ct,
                ("id", command.CommandId), ("room", rows.RoomId), ("command", command.Command), ("now", rows.At), ("owner", Instance));
        }

        if (rows.Events.Count > 0)
        {
            // Events commit one turn at a time, so their sequence numbers become visible in order and a reader that
            // has seen number n has seen everything before it.
            await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({PostgresSchema.LockSpace}, {PostgresSchema.FeedLock})", ct);
            foreach (var e in rows.Events)
            {
                await ExecuteAsync(connection, tx, "INSERT INTO room_events (room, event, at) VALUES (@room, @event, @now)", ct,
                    ("room", rows.RoomId), ("event", e), ("now", rows.At));
            }

            await ExecuteAsync(connection, tx, $"NOTIFY {Channel}", ct);
        }

        if (rows.AppliedEvent is { } applied)
        {
            await ExecuteAsync(connection, tx, "UPDATE inbox SET applied_at = @now WHERE event_id = @id", ct, ("id", applied), ("now", rows.At));
        }

        if (rows.AnsweredCommand is { } answered)
        {
            await ExecuteAsync(connection, tx, "UPDATE outbox SET answered_at = @now WHERE command_id = @id", ct, ("id", answered), ("now", rows.At));
        }
    }

    public async ValueTask<string?> FindRoomOfConferenceAsync(string conferenceId, CancellationToken ct = default) =>
        await LookupAsync("SELECT room FROM room_conferences WHERE key = @k", conferenceId, ct);

    public async ValueTask<string?> FindRoomOfLegAsync(string callControlId, CancellationToken ct = default) =>
        await LookupAsync("SELECT room FROM room_legs WHERE key = @k", callControlId, ct);

    public ValueTask<bool> TryAddAsync(InboxEntry entry, CancellationToken ct = default) => _inboxWriter.AddAsync(entry, ct);

    public async ValueTask<IReadOnlyList<InboxEntry>> UnappliedAsync(CancellationToken ct = default)
    {
        await AdoptOrphansAsync(ct);
        await using var command = _db.CreateCommand(
            "SELECT event_id, room, input, received_at FROM inbox WHERE applied_at IS NULL AND owner = @me ORDER BY seq");
        command.Parameters.AddWithValue("me", Instance);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<InboxEntry>();
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new InboxEntry(reader.GetString(0), reader.GetString(1), StorageJson.Deserialize<RoomInput>(reader.GetString(2)),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3))));
        }

        return entries;
    }

    public async ValueTask<IReadOnlyList<OutboxEntry>> UnansweredAsync(CancellationToken ct = default)
    {
        await AdoptOrphansAsync(ct);
        await using var command = _db.CreateCommand("SELECT room, command FROM outbox WHERE answered_at IS NULL AND owner = @me ORDER BY seq");
        command.Parameters.AddWithValue("me", Instance);
        await using var reader = await command.ExecuteReaderAsync(ct);
        var entries = new List<OutboxEntry>();
        while (await reader.ReadAsync(ct))
        {
            entries.Add(new OutboxEntry(reader.GetString(0), StorageJson.Deserialize<RoomCommand>(reader.GetString(1))));
        }

        return entries;
    }

    public async ValueTask<(int Events, int Commands)> RemoveOldAsync(DateTimeOffset inboxBefore, DateTimeOffset outboxBefore, CancellationToken ct = default)
    {
        await using var connection = await _db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var events = await ExecuteAsync(connection, tx, "DELETE FROM inbox WHERE applied_at IS NOT NULL AND received_at < @before", ct,
            ("before", inboxBefore.ToUnixTimeMilliseconds()));
        var commands = await ExecuteAsync(connection, tx, "DELETE FROM outbox WHERE answered_at < @before", ct,
            ("before", outboxBefore.ToUnixTimeMilliseconds()));
        await ExecuteAsync(connection, tx, "DELETE FROM room_events WHERE at < @before", ct, ("before", outboxBefore.ToUnixTimeMilliseconds()));
        await tx.CommitAsync(ct);
        return (events, commands);
    }

    /// <summary>Takes over the unfinished rows of instances that are no longer running (their advisory lock is free).</summary>
    private async Task AdoptOrphansAsync(CancellationToken ct)
    {
        var owners = new List<int>();
        await using (var command = _db.CreateCommand("""
            SELECT owner FROM inbox WHERE applied_at IS NULL AND owner <> @me
            UNION SELECT owner FROM outbox WHERE answered_at IS NULL AND owner <> @me
            """))
        {
            command.Parameters.AddWithValue("me", Instance);
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                owners.Add(reader.GetInt32(0));
            }
        }

        await _presenceGate.WaitAsync(ct);
        try
        {
            foreach (var owner in owners)
            {
                await using var probe = new NpgsqlCommand($"SELECT pg_try_advisory_lock({PostgresSchema.LockSpace}, @o)", _presence);
                probe.Parameters.AddWithValue("o", owner);
                if (await probe.ExecuteScalarAsync(ct) is not true)
                {
                    continue; // still running: its rows are its own
                }

                await using var adopt = new NpgsqlCommand($"""
                    UPDATE inbox SET owner = @me WHERE owner = @o AND applied_at IS NULL;
                    UPDATE outbox SET owner = @me WHERE owner = @o AND answered_at IS NULL;
                    SELECT pg_advisory_unlock({PostgresSchema.LockSpace}, @o);
                    """, _presence);
                adopt.Parameters.AddWithValue("me", Instance);
                adopt.Parameters.AddWithValue("o", owner);
                await adopt.ExecuteNonQueryAsync(ct);
            }
        }
        finally
        {
            _presenceGate.Release();
        }
    }

    private async Task<bool[]> WriteInboxBatchAsync(IReadOnlyList<InboxEntry> entries, CancellationToken ct)
    {
        _writerConnection ??= await _db.OpenConnectionAsync(ct);
        await using var command = new NpgsqlCommand("""
            INSERT INTO inbox (event_id, room, input, received_at, owner)
            SELECT e.id, e.room, e.input, e.at, @owner FROM unnest(@ids, @rooms, @inputs, @ats) AS e(id, room, input, at)
            ON CONFLICT (event_id) DO NOTHING
            RETURNING event_id
            """, _writerConnection);
        command.Parameters.AddWithValue("owner", Instance);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e.EventId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("rooms", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = entries.Select(e => e.Room).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("inputs", NpgsqlDbType.Array | NpgsqlDbType.Text)
        {
            Value = entries.Select(e => StorageJson.Serialize(e.Input)).ToArray(),
        });
        command.Parameters.Add(new NpgsqlParameter("ats", NpgsqlDbType.Array | NpgsqlDbType.Bigint)
        {
            Value = entries.Select(e => e.ReceivedAt.ToUnixTimeMilliseconds()).ToArray(),
        });
        var inserted = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                inserted.Add(reader.GetString(0));
            }
        }
        catch
        {
            await _writerConnection.DisposeAsync();
            _writerConnection = null; // a broken connection is opened again for the next batch
            throw;
        }

        // One statement is one commit; an id twice in the batch counts as new only the first time.
        return [.. entries.Select(e => inserted.Remove(e.EventId))];
    }

    private async ValueTask<string?> LookupAsync(string sql, string key, CancellationToken ct)
    {
        await using var command = _db.CreateCommand(sql);
        command.Parameters.AddWithValue("k", key);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteScalarAsync(ct);
    }

    internal static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string sql, CancellationToken ct,
        params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection, tx);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        return await command.ExecuteNonQueryAsync(ct);
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

        // The connection goes back to the pool, which would keep the session's lock: give the instance id back first.
        try
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock_all()", _presence);
            await release.ExecuteNonQueryAsync();
        }
        catch (NpgsqlException)
        {
            // A broken connection has lost its locks already.
        }

        await _presence.DisposeAsync();
        _presenceGate.Dispose();
    }
}
