using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Dashboard;

/// <summary>Somebody who left a room, why, and when.</summary>
public sealed record Departure(string CallControlId, string Number, DepartureReason Reason, DateTimeOffset At);

/// <summary>
/// Who left each room and why, for the last <see cref="DashboardOptions.DepartureHistoryMinutes"/>: read from the room
/// feed, so a page opened later still shows it.
/// </summary>
public sealed partial class DepartureLog(IRoomFeed feed, TimeProvider clock, IOptions<DashboardOptions> options, ILogger<DepartureLog> logger)
    : BackgroundService
{
    /// <summary>The most departures kept per room, whatever their age.</summary>
    public const int Capacity = 500;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Queue<Departure>> _rooms = new(StringComparer.Ordinal);
    private RoomFeedSubscription? _subscription;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // Subscribed before the host takes requests, so no departure is missed.
        _subscription = feed.Subscribe();
        return base.StartAsync(cancellationToken);
    }

    /// <summary>The room's departures within the window, oldest first.</summary>
    public IReadOnlyList<Departure> For(string roomId)
    {
        lock (_gate)
        {
            if (!_rooms.TryGetValue(roomId, out var queue))
            {
                return [];
            }

            Prune(queue);
            return [.. queue];
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var reader = _subscription!.Reader;
        try
        {
            await foreach (var item in reader.ReadAllAsync(stoppingToken))
            {
                if (item.Event is ParticipantLeftRoom left)
                {
                    Record(left);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down.
        }
    }

    public override void Dispose()
    {
        _subscription?.Dispose();
        base.Dispose();
    }

    private void Record(ParticipantLeftRoom left)
    {
        var departure = new Departure(left.Participant.CallControlId, left.Participant.Number, left.Reason, clock.GetUtcNow());
        lock (_gate)
        {
            if (!_rooms.TryGetValue(left.Room, out var queue))
            {
                _rooms[left.Room] = queue = new Queue<Departure>();
            }

            queue.Enqueue(departure);
            while (queue.Count > Capacity)
            {
                queue.Dequeue();
            }

            Prune(queue);
        }

        Log.Departed(logger, left.Room, left.Reason);
    }

    private void Prune(Queue<Departure> queue)
    {
        var oldest = clock.GetUtcNow() - TimeSpan.FromMinutes(options.Value.DepartureHistoryMinutes);
        while (queue.TryPeek(out var first) && first.At < oldest)
        {
            queue.Dequeue();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1700, LogLevel.Debug, "A participant left room {Room}: {Reason}", EventName = "DashboardDeparture")]
        public static partial void Departed(ILogger logger, string room, DepartureReason reason);
    }
}
