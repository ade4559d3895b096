using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using Microsoft.Data.Sqlite;

namespace ConferenceDemo.Storage.Sqlite;

/// <summary>
/// The API's rooms in the store's SQLite file: each room's options as JSON in room_settings, its dial-in numbers in
/// room_dial_in (the number is the key). A save is one BEGIN IMMEDIATE transaction, so the check that no other room
/// claims a number and the write cannot be split by another server on the same file.
/// </summary>
public sealed class SqliteRoomCatalog(SqliteRoomStore store) : IRoomCatalog
{
    public async ValueTask<IReadOnlyList<CatalogRoom>> ListAsync(CancellationToken ct = default) =>
        await store.ReadJsonAsync<CatalogRoom>("SELECT settings FROM room_settings ORDER BY id", key: null, ct);

    public async ValueTask<CatalogRoom?> GetAsync(string roomId, CancellationToken ct = default) =>
        (await store.ReadJsonAsync<CatalogRoom>("SELECT settings FROM room_settings WHERE id = $k", roomId, ct)).SingleOrDefault();

    public async ValueTask<string?> RoomOfNumberAsync(string number, CancellationToken ct = default)
    {
        await using var connection = store.Open();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT room FROM room_dial_in WHERE number = $number";
        command.Parameters.AddWithValue("$number", number);
        return await command.ExecuteScalarAsync(ct) as string;
    }

    public async ValueTask<string?> SaveAsync(CatalogRoom room, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        await using var connection = store.Open();
        await using var tx = connection.BeginTransaction(deferred: false);
        SqliteRoomStore.Execute(connection, tx, "DELETE FROM room_dial_in WHERE room = $room", ("$room", room.Id));
        foreach (var number in room.DialIn.Distinct(StringComparer.Ordinal))
        {
            if (SqliteRoomStore.Execute(connection, tx, "INSERT INTO room_dial_in (number, room) VALUES ($number, $room) ON CONFLICT (number) DO NOTHING",
                    ("$number", number), ("$room", room.Id)) == 0)
            {
                // Rolled back with the transaction: the room keeps the numbers it had.
                using var claimant = connection.CreateCommand();
                claimant.Transaction = tx;
                claimant.CommandText = "SELECT room FROM room_dial_in WHERE number = $number";
                claimant.Parameters.AddWithValue("$number", number);
                return (string?)claimant.ExecuteScalar();
            }
        }

        SqliteRoomStore.Execute(connection, tx, "INSERT INTO room_settings (id, settings) VALUES ($id, $settings) ON CONFLICT (id) DO UPDATE SET settings = excluded.settings",
            ("$id", room.Id), ("$settings", StorageJson.Serialize(room)));
        await tx.CommitAsync(ct);
        return null;
    }

    public async ValueTask<bool> DeleteAsync(string roomId, CancellationToken ct = default)
    {
        await using var connection = store.Open();
        await using var tx = connection.BeginTransaction(deferred: false);
        SqliteRoomStore.Execute(connection, tx, "DELETE FROM room_dial_in WHERE room = $room", ("$room", roomId));
        var deleted = SqliteRoomStore.Execute(connection, tx, "DELETE FROM room_settings WHERE id = $room", ("$room", roomId));
        await tx.CommitAsync(ct);
        return deleted > 0;
    }
}
