using System.Text;
using System.Text.Json.Nodes;

namespace ConferenceDemo.Tests.Dashboard;

/// <summary>One server-sent message: its id, event name and data; or a comment line (a heartbeat).</summary>
public sealed record StreamMessage(string? Id, string? Event, string? Data, string? Comment)
{
    public JsonNode Json => JsonNode.Parse(Data ?? throw new InvalidOperationException($"no data in {this}"))!;
}

/// <summary>Reads a text/event-stream response message by message, as a browser's EventSource does.</summary>
public sealed class EventStreamReader(Stream stream) : IAsyncDisposable
{
    /// <summary>Generous: a message the server should send now comes well within it, even on a loaded machine.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    private readonly StreamReader _reader = new(stream, Encoding.UTF8);

    /// <summary>The next message or comment; fails when none comes within <see cref="Patience"/>.</summary>
    public async Task<StreamMessage> NextAsync()
    {
        using var timeout = new CancellationTokenSource(Patience);
        string? id = null, type = null, comment = null;
        var data = new List<string>();
        while (true)
        {
            string? line;
            try
            {
                line = await _reader.ReadLineAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no server-sent message within {Patience.TotalSeconds} s");
            }

            if (line is null)
            {
                throw new EndOfStreamException("the event stream ended");
            }

            if (line.Length == 0)
            {
                if (id is not null || type is not null || data.Count > 0 || comment is not null)
                {
                    return new StreamMessage(id, type, data.Count == 0 ? null : string.Join('\n', data), comment);
                }

                continue;
            }

            if (line.StartsWith(':'))
            {
                comment = line[1..].Trim();
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            var field = colon < 0 ? line : line[..colon];
            var value = colon < 0 ? "" : line[(colon + 1)..].TrimStart(' ');
            switch (field)
            {
                case "id": id = value; break;
                case "event": type = value; break;
                case "data": data.Add(value); break;
            }
        }
    }

    /// <summary>The next message that is not a heartbeat.</summary>
    public async Task<StreamMessage> NextEventAsync()
    {
        while (true)
        {
            var message = await NextAsync();
            if (message.Event is not null || message.Data is not null)
            {
                return message;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await stream.DisposeAsync();
    }
}
