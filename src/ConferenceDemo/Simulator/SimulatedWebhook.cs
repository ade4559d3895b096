using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace ConferenceDemo.Simulator;

/// <summary>One webhook the simulated Telnyx sends: its type, its payload, and when it happened.</summary>
public sealed record SimulatedWebhook(string EventType, JsonObject Payload, DateTimeOffset OccurredAt)
{
    /// <summary>
    /// The body Telnyx posts, a fresh data.id each time: conference events carry occurred_at in the payload, the
    /// others (participant joined/left included) in data, as Telnyx's schemas have it.
    /// </summary>
    public JsonObject Envelope(string eventId, int attempt, string deliveredTo)
    {
        var payload = (JsonObject)Payload.DeepClone();
        var data = new JsonObject
        {
            ["record_type"] = "event",
            ["event_type"] = EventType,
            ["id"] = eventId,
        };
        var occurredAt = OccurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
        if (EventType.StartsWith("conference.", StringComparison.Ordinal) && EventType is not ("conference.participant.joined" or "conference.participant.left"))
        {
            payload["occurred_at"] = occurredAt;
        }
        else
        {
            data["occurred_at"] = occurredAt;
        }

        data["payload"] = payload;
        return new JsonObject
        {
            ["data"] = data,
            ["meta"] = new JsonObject { ["attempt"] = attempt, ["delivered_to"] = deliveredTo },
        };
    }
}

/// <summary>Where the simulated Telnyx puts the webhooks it sends, in the order they happen.</summary>
public interface ISimulatorWebhookSink
{
    void Send(SimulatedWebhook webhook);
}

/// <summary>The in-process queue between the simulated Telnyx and the delivery loop.</summary>
public sealed class SimulatorWebhookQueue : ISimulatorWebhookSink
{
    private readonly Channel<SimulatedWebhook> _channel = Channel.CreateUnbounded<SimulatedWebhook>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<SimulatedWebhook> Reader => _channel.Reader;

    public void Send(SimulatedWebhook webhook) => _channel.Writer.TryWrite(webhook);
}
