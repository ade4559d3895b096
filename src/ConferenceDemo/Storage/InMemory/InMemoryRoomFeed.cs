using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage.InMemory;

/// <summary>
/// The room feed within one process: every subscriber gets each event once, numbered in publish order. The newest
/// <see cref="Memory"/> events are kept, so a reader that reconnects can resume where it stopped.
/// </summary>
public sealed class InMemoryRoomFeed : IRoomFeed
{
    public const int Memory = 4096;

    private readonly Lock _gate = new();
    private readonly List<RoomFeedSubscription> _subscribers = [];
    private readonly Queue<RoomFeedItem> _recent = new();
    private long _sequence;

    public long LastSequence
    {
        get
        {
            lock (_gate)
            {
                return _sequence;
            }
        }
    }

    public void Publish(IReadOnlyList<RoomEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            foreach (var e in events)
            {
                var item = new RoomFeedItem(++_sequence, e);
                _recent.Enqueue(item);
                if (_recent.Count > Memory)
                {
                    _recent.Dequeue();
                }

                foreach (var subscriber in _subscribers)
                {
                    subscriber.Offer(item);
                }
            }
        }
    }

    public RoomFeedSubscription Subscribe(string? roomId = null, long? after = null)
    {
        var subscription = new RoomFeedSubscription(roomId, Unsubscribe);
        lock (_gate)
        {
            if (after is { } last && last != _sequence)
            {
                // Resumable only when the oldest kept event is the one right after the reader's last (a number from
                // beyond this feed's newest came from before a restart).
                subscription.Resumed = last < _sequence && _recent.TryPeek(out var oldest) && oldest.Sequence <= last + 1;
                if (subscription.Resumed)
                {
                    foreach (var item in _recent.Where(i => i.Sequence > last))
                    {
                        subscription.Offer(item);
                    }
                }
            }

            _subscribers.Add(subscription);
        }

        return subscription;
    }

    private void Unsubscribe(RoomFeedSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }
}
