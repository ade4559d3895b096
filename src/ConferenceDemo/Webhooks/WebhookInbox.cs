using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Webhooks;

/// <summary>
/// Remembers which webhook events (by <c>data.id</c>) were already accepted, because Telnyx delivers at least once.
/// Kept narrow so a database can hold the ids when several instances share the work.
/// </summary>
public interface IWebhookInbox
{
    /// <summary>True the first time <paramref name="eventId"/> is seen within the retention; false for a repeat.</summary>
    ValueTask<bool> TryAcceptAsync(string eventId, CancellationToken ct = default);
}

/// <summary>
/// Event ids in process memory for <see cref="WebhookOptions.DedupeHours"/> (24 h), at most
/// <see cref="WebhookOptions.DedupeCapacity"/> of them: past that the oldest are forgotten first, with a warning,
/// so memory stays bounded (about 90 bytes an id, measured).
/// </summary>
public sealed partial class InMemoryWebhookInbox(IOptions<WebhookOptions> options, TimeProvider clock, ILogger<InMemoryWebhookInbox> logger)
    : IWebhookInbox
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, long> _seen = [];
    private readonly Queue<(Guid Id, long At)> _order = new();
    private readonly TimeSpan _retention = TimeSpan.FromHours(options.Value.DedupeHours);
    private readonly int _capacity = options.Value.DedupeCapacity;
    private bool _warnedFull;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _seen.Count;
            }
        }
    }

    public ValueTask<bool> TryAcceptAsync(string eventId, CancellationToken ct = default)
    {
        var key = KeyOf(eventId);
        var now = clock.GetUtcNow().UtcTicks;
        lock (_gate)
        {
            Evict(now);
            if (_seen.ContainsKey(key))
            {
                return ValueTask.FromResult(false);
            }

            _seen[key] = now;
            _order.Enqueue((key, now));
            return ValueTask.FromResult(true);
        }
    }

    private void Evict(long now)
    {
        var oldest = now - _retention.Ticks;
        while (_order.TryPeek(out var head) && (head.At < oldest || _order.Count >= _capacity))
        {
            if (head.At >= oldest && !_warnedFull)
            {
                _warnedFull = true;
                Log.Full(logger, _capacity, _retention.TotalHours);
            }

            _order.Dequeue();
            _seen.Remove(head.Id);
        }
    }

    /// <summary>Telnyx event ids are UUIDs; anything else is hashed to 16 bytes, so every id costs the same.</summary>
    private static Guid KeyOf(string eventId) =>
        Guid.TryParse(eventId, out var id) ? id : new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(eventId)).AsSpan(0, 16));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1020, EventName = "WebhookDedupeFull", Level = LogLevel.Warning, Message = "Webhook dedupe holds {Capacity} ids: older ids are forgotten before {Hours} h; raise Webhooks:DedupeCapacity")]
        public static partial void Full(ILogger logger, int capacity, double hours);
    }
}
