using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Encodings.Web;
using System.Text.Json;
using ConferenceDemo.Rooms.Processing;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Simulator;

/// <summary>
/// Posts the simulated Telnyx's webhooks to this server's real webhook endpoint over HTTP, signed like Telnyx signs
/// them, one at a time in the order they happened. With realism on request it waits before each delivery, delivers
/// some twice (same data.id, next meta.attempt) and swaps some with the next one. A delivery that is not answered
/// 2xx is retried a few times, as Telnyx does.
/// </summary>
public sealed partial class WebhookDelivery(
    SimulatorMode mode,
    SimulatorWebhookQueue queue,
    SimulatorSigner signer,
    SimulatorAddress address,
    SimulatorRandom random,
    IHttpClientFactory httpClients,
    IOptions<SimulatorOptions> options,
    IOptions<ConferenceOptions> conference,
    TimeProvider time,
    ILogger<WebhookDelivery> logger) : BackgroundService
{
    public const string HttpClientName = "TelnyxSimulatorWebhooks";
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1)];
    private static readonly TimeSpan ReorderWait = TimeSpan.FromMilliseconds(250);
    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!mode.IsOn)
        {
            return;
        }

        var reader = queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
            {
                while (reader.TryRead(out var webhook))
                {
                    if (random.Chance(options.Value.ReorderRate) && await NextAsync(stoppingToken) is { } next)
                    {
                        // Out of order, as Telnyx may deliver: the later event first.
                        Log.Reordered(logger, webhook.EventType, next.EventType);
                        await DeliverAsync(next, stoppingToken);
                    }

                    await DeliverAsync(webhook, stoppingToken);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: what is left is not delivered, as when Telnyx loses a server.
        }
    }

    /// <summary>The next webhook, if one comes within a moment; null otherwise (the held one is then sent alone).</summary>
    private async Task<SimulatedWebhook?> NextAsync(CancellationToken ct)
    {
        if (queue.Reader.TryRead(out var next))
        {
            return next;
        }

        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var arrived = queue.Reader.WaitToReadAsync(wait.Token).AsTask();
        var first = await Task.WhenAny(arrived, Task.Delay(ReorderWait, time, wait.Token));
        await wait.CancelAsync();
        return first == arrived && !arrived.IsCanceled && arrived.IsCompletedSuccessfully && arrived.Result && queue.Reader.TryRead(out next)
            ? next
            : null;
    }

    private async Task DeliverAsync(SimulatedWebhook webhook, CancellationToken ct)
    {
        var settings = options.Value;
        if (settings.LatencyMilliseconds > 0)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(settings.LatencyMilliseconds), time, ct);
        }

        var eventId = Guid.NewGuid().ToString();
        var attempt = 1;
        var delivered = await PostWithRetriesAsync(webhook, eventId, () => attempt++, ct);
        if (delivered && random.Chance(settings.DuplicateRate))
        {
            Log.Duplicated(logger, webhook.EventType, eventId);
            await PostWithRetriesAsync(webhook, eventId, () => attempt++, ct);
        }
    }

    private async Task<bool> PostWithRetriesAsync(SimulatedWebhook webhook, string eventId, Func<int> nextAttempt, CancellationToken ct)
    {
        for (var retry = 0; ; retry++)
        {
            var attempt = nextAttempt();
            var url = new Uri(address.Current, $"/{conference.Value.RoutePrefix}/start");
            var (status, error) = await PostAsync(url, webhook, eventId, attempt, ct);
            if (status is >= 200 and < 300)
            {
                Log.Delivered(logger, webhook.EventType, eventId, attempt, status.Value);
                return true;
            }

            if (retry >= RetryDelays.Length)
            {
                Log.GaveUp(logger, webhook.EventType, eventId, attempt, error ?? $"HTTP {status}");
                return false;
            }

            Log.Retrying(logger, webhook.EventType, eventId, attempt, error ?? $"HTTP {status}");
            await Task.Delay(RetryDelays[retry], time, ct);
        }
    }

    private async Task<(int? Status, string? Error)> PostAsync(Uri url, SimulatedWebhook webhook, string eventId, int attempt, CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(webhook.Envelope(eventId, attempt, url.ToString()), Compact);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        request.Headers.TryAddWithoutValidation("telnyx-timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("telnyx-signature-ed25519", signer.Sign(timestamp, body));
        try
        {
            using var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, ct);
            return ((int)response.StatusCode, null);
        }
        catch (HttpRequestException ex)
        {
            return (null, ex.Message);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "no answer in time");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1610, LogLevel.Debug, "Simulator delivered {EventType} {EventId} (attempt {Attempt}): {StatusCode}", EventName = "SimulatorWebhookDelivered")]
        public static partial void Delivered(ILogger logger, string eventType, string eventId, int attempt, int statusCode);

        [LoggerMessage(1611, LogLevel.Warning, "Simulator could not deliver {EventType} {EventId} (attempt {Attempt}): {Error}; retrying", EventName = "SimulatorWebhookRetrying")]
        public static partial void Retrying(ILogger logger, string eventType, string eventId, int attempt, string error);

        [LoggerMessage(1612, LogLevel.Warning, "Simulator gave up delivering {EventType} {EventId} after attempt {Attempt}: {Error}", EventName = "SimulatorWebhookGaveUp")]
        public static partial void GaveUp(ILogger logger, string eventType, string eventId, int attempt, string error);

        [LoggerMessage(1613, LogLevel.Information, "Simulator delivers {EventType} {EventId} a second time (Simulator:DuplicateRate)", EventName = "SimulatorWebhookDuplicated")]
        public static partial void Duplicated(ILogger logger, string eventType, string eventId);

        [LoggerMessage(1614, LogLevel.Information, "Simulator delivers {Later} before {Earlier} (Simulator:ReorderRate)", EventName = "SimulatorWebhookReordered")]
        public static partial void Reordered(ILogger logger, string earlier, string later);
    }
}
