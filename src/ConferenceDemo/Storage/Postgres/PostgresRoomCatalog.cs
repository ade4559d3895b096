using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using Npgsql;
using NpgsqlTypes;

namespace ConferenceDemo.Storage.Postgres;

/// <summary>
/// The API's rooms in PostgreSQL, shared by every instance on the database: each room's options as JSON in
/// room_settings, its dial-in numbers in room_dial_in (the number is the key). Nothing is cached, so a room saved or
/// deleted on one instance is what the next lookup on any other finds.
/// </summary>
/// <remarks>
/// A save replaces the room's numbers inside its transaction. Two instances claiming one number for two rooms at
/// once meet on the key: the second insert waits for the first transaction, and once that commits it inserts nothing,
/// so the second save is refused.
/// </remarks>
public sealed class PostgresRoomCatalog(NpgsqlDataSource db) : IRoomCatalog
{
    public async ValueTask<IReadOnlyList<CatalogRoom>> ListAsync(CancellationToken ct = default) =>
        await PostgresRoomStore.ReadJsonAsync<CatalogRoom>(db, "SELECT settings FROM room_settings ORDER BY id", key: null, ct);

    public async ValueTask<CatalogRoom?> GetAsync(string roomId, CancellationToken ct = default) =>
        (await PostgresRoomStore.ReadJsonAsync<CatalogRoom>(db, "SELECT settings FROM room_settings WHERE id = @k", roomId, ct)).SingleOrDefault();

    public async ValueTask<string?> RoomOfNumberAsync(string number, CancellationToken ct = default)
    {
        await using var command = db.CreateCommand("SELECT room FROM room_dial_in WHERE number = @number");
        command.Parameters.AddWithValue("number", number);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async ValueTask<string?> SaveAsync(CatalogRoom room, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        var numbers = room.DialIn.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray(); // one order: no deadlock
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // The room's row first: it stays locked to the commit, so saves and deletes of one room take turns and
        // each replaces the numbers the one before it left.
        await PostgresRoomStore.ExecuteAsync(connection, tx, """
            INSERT INTO room_settings (id, settings) VALUES (@id, @settings)
            ON CONFLICT (id) DO UPDATE SET settings = excluded.settings
            """, ct, ("id", room.Id), ("settings", StorageJson.Serialize(room)));
        await PostgresRoomStore.ExecuteAsync(connection, tx, "DELETE FROM room_dial_in WHERE room = @room", ct, ("room", room.Id));
        await using (var claim = new NpgsqlCommand("""
            INSERT INTO room_dial_in (number, room) SELECT n, @room FROM unnest(@numbers) AS n
            ON CONFLICT (number) DO NOTHING
            """, connection, tx))
        {
            claim.Parameters.AddWithValue("room", room.Id);
            claim.Parameters.Add(new NpgsqlParameter("numbers", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = numbers });
            if (await claim.ExecuteNonQueryAsync(ct) < numbers.Length)
            {
                // Another room has a number: nothing is committed, so this room keeps what it had (or stays absent).
                await using var claimant = new NpgsqlCommand("SELECT room FROM room_dial_in WHERE number = ANY(@numbers) AND room <> @room LIMIT 1",
                    connection, tx);
                claimant.Parameters.AddWithValue("room", room.Id);
                claimant.Parameters.Add(new NpgsqlParameter("numbers", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = numbers });
                return await claimant.ExecuteScalarAsync(ct) as string
                    ?? throw new InvalidOperationException($"room {room.Id}: a dial-in number was neither claimed nor free");
            }
        }

        await tx.CommitAsync(ct);
        return null;
    }

    public async ValueTask<bool> DeleteAsync(string roomId, CancellationToken ct = default)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // The room's row first, as a save takes it: a save at the same moment comes before or after, never between.
        var deleted = await PostgresRoomStore.ExecuteAsync(connection, tx, "DELETE FROM room_settings WHERE id = @room", ct, ("room", roomId));
        await PostgresRoomStore.ExecuteAsync(connection, tx, "DELETE FROM room_dial_in WHERE room = @room", ct, ("room", roomId));
        await tx.CommitAsync(ct);
        return deleted > 0;
    }
}
