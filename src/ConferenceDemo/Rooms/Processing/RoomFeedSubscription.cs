using System.Threading.Channels;

namespace ConferenceDemo.Rooms.Processing;

/// <summary>A reader of the room feed. Slow readers lose the oldest events rather than holding up the rooms.</summary>
public sealed class RoomFeedSubscription(string? roomId, Action<RoomFeedSubscription> unsubscribe) : IDisposable
{
    private readonly Channel<RoomFeedItem> _channel = Channel.CreateBounded<RoomFeedItem>(
        new BoundedChannelOptions(8192) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    public string? RoomId { get; } = roomId;

    /// <summary>True when every event after the requested sequence number was replayed (or none was requested).</summary>
    public bool Resumed { get; internal set; } = true;

    public ChannelReader<RoomFeedItem> Reader => _channel.Reader;

    internal void Offer(RoomFeedItem item)
    {
        if (RoomId is null || RoomId == item.Event.Room)
        {
            _channel.Writer.TryWrite(item);
        }
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        unsubscribe(this);
    }
}
