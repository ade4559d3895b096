using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage.InMemory;

/// <summary>The room feed within one process: every subscriber gets each event once, numbered in publish order.</summary>
public sealed class InMemoryRoomFeed : IRoomFeed
{
    private readonly Lock _gate = new();
    private readonly List<RoomFeedSubscription> _subscribers = [];
    private long _sequence;

    public void Publish(IReadOnlyList<RoomEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        lock (_gate)
        {
            foreach (var e in events)
            {
                var item = new RoomFeedItem(++_sequence, e);
                foreach (var subscriber in _subscribers)
                {
                    subscriber.Offer(item);
                }
            }
        }
    }

    public RoomFeedSubscription Subscribe(string? roomId = null)
    {
        var subscription = new RoomFeedSubscription(roomId, Unsubscribe);
        lock (_gate)
        {
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
