using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using Npgsql;

namespace ConferenceDemo.Storage.Postgres;

/// <summary>
/// The room feed of every instance on one database: turns write their events to room_events (numbered by a bigserial
/// in commit order) and NOTIFY at commit; each instance LISTENs, reads what is new, and hands it to its subscribers.
/// <see cref="Subscribe"/> with a sequence number replays from the table. <see cref="Publish"/> does nothing: the
/// events arrive through the table, decided here or on another instance.
/// </summary>
public sealed partial class PostgresRoomFeed : IRoomFeed, IAsyncDisposable
{
    private readonly NpgsqlDataSource _db;
    private readonly ILogger<PostgresRoomFeed> _logger;
    private readonly Lock _gate = new();
    private readonly List<RoomFeedSubscription> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _listener;
    private long _last;

    public PostgresRoomFeed(NpgsqlDataSource db, ILogger<PostgresRoomFeed> logger)
    {
        _db = db;
        _logger = logger;
        using (var newest = db.CreateCommand("SELECT COALESCE(MAX(seq), 0) FROM room_events"))
        {
            _last = (long)newest.ExecuteScalar()!;
        }

        _listener = Task.Run(ListenAsync);
    }

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _last;
            }
        }
    }

    public void Publish(IReadOnlyList<RoomEvent> events)
    {
        // Written by the turn's commit; they come back through LISTEN like everyone else's.
    }

    public RoomFeedSubscription Subscribe(string? roomId = null, long? after = null)
    {
        var subscription = new RoomFeedSubscription(roomId, Unsubscribe);
        lock (_gate)
        {
            if (after is { } last && last != _last)
            {
                subscription.Resumed = last < _last && Replay(subscription, last);
            }

            _subscribers.Add(subscription);
        }

        return subscription;
    }

    /// <summary>Offers the events after <paramref name="last"/> up to what this instance has delivered; false when some are gone.</summary>
    private bool Replay(RoomFeedSubscription subscription, long last)
    {
        using var command = _db.CreateCommand("SELECT seq, event FROM room_events WHERE seq > @after AND seq <= @upto ORDER BY seq");
        command.Parameters.AddWithValue("after", last);
        command.Parameters.AddWithValue("upto", _last);
        using var reader = command.ExecuteReader();
        var expected = last + 1;
        var complete = true;
        var items = new List<RoomFeedItem>();
        while (reader.Read())
        {
            var seq = reader.GetInt64(0);
            complete &= items.Count > 0 || seq == expected; // the first kept event must be the one right after the reader's
            items.Add(new RoomFeedItem(seq, StorageJson.Deserialize<RoomEvent>(reader.GetString(1))));
        }

        if (!complete || items.Count == 0)
        {
            return false;
        }

        items.ForEach(subscription.Offer);
        return true;
    }

    private void Unsubscribe(RoomFeedSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }

    private async Task ListenAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await using var connection = await _db.OpenConnectionAsync(_stop.Token);
                await using (var listen = new NpgsqlCommand($"LISTEN {PostgresRoomStore.Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(_stop.Token);
                }

                while (!_stop.IsCancellationRequested)
                {
                    await CatchUpAsync(connection);

                    // A notification, or every few seconds anyway in case one was missed while reconnecting.
                    await connection.WaitAsync(TimeSpan.FromSeconds(5), _stop.Token);
                }
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                Log.ListenFailed(_logger, ex);
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task CatchUpAsync(NpgsqlConnection connection)
    {
        while (true)
        {
            var items = new List<RoomFeedItem>();
            await using (var command = new NpgsqlCommand("SELECT seq, event FROM room_events WHERE seq > @after ORDER BY seq LIMIT 1000", connection))
            {
                command.Parameters.AddWithValue("after", LastSequence);
                await using var reader = await command.ExecuteReaderAsync(_stop.Token);
                while (await reader.ReadAsync(_stop.Token))
                {
                    items.Add(new RoomFeedItem(reader.GetInt64(0), StorageJson.Deserialize<RoomEvent>(reader.GetString(1))));
                }
            }

            lock (_gate)
            {
                foreach (var item in items.Where(i => i.Sequence > _last))
                {
                    _last = item.Sequence;
                    foreach (var subscriber in _subscribers)
                    {
                        subscriber.Offer(item);
                    }
                }
            }

            if (items.Count < 1000)
            {
                return;
            }
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // the container and the storage both dispose it
        }

        await _stop.CancelAsync();
        try
        {
            await _listener;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private static partial class Log
    {
        [LoggerMessage(1520, LogLevel.Warning, "Room feed: listening to PostgreSQL failed; reconnecting", EventName = "FeedListenFailed")]
        public static partial void ListenFailed(ILogger logger, Exception exception);
    }
}
