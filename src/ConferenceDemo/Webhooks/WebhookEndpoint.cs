using System.Buffers;
using ConferenceDemo.Hosting;
using ConferenceDemo.Rooms.Processing;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Webhooks;

/// <summary>
/// POST /{prefix}/start: raw bytes once, then verify, then parse, then hand to the conference logic. Telnyx gets its
/// answer as soon as the event is accepted; the event is applied behind the room's earlier events.
/// </summary>
public static partial class WebhookEndpoint
{
    internal const string SignatureHeader = "telnyx-signature-ed25519";
    internal const string TimestampHeader = "telnyx-timestamp";
    private const string PlainText = "text/plain; charset=utf-8";
    private const string TooLargeText = "body over 1 MiB";
    private const string UnreadableText = "bad webhook: the body could not be read";

    public static RouteHandlerBuilder MapTelnyxWebhook(this IEndpointRouteBuilder app)
    {
        var prefix = app.ServiceProvider.GetRequiredService<IOptions<ConferenceOptions>>().Value.RoutePrefix;
        return app.MapPost($"/{prefix}/start", ReceiveAsync).WithName("TelnyxWebhook").ExcludeFromDescription();
    }

    internal static async Task<IResult> ReceiveAsync(HttpContext context, WebhookAuthenticator authenticator, RoomInbox inbox,
        ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger(typeof(WebhookEndpoint));
        var request = context.Request;
        var rejections = context.RequestServices.GetRequiredService<WebhookRejections>();
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (request.ContentLength > WebhookOptions.MaxBodyBytes)
        {
            rejections.Record(TooLargeText, $"Content-Length {request.ContentLength.Value}", client);
            return Results.Text(TooLargeText, PlainText, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        byte[]? body;
        try
        {
            body = await ReadBodyAsync(request.Body, WebhookOptions.MaxBodyBytes, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return Results.Empty; // Telnyx hung up on us; nobody is left to answer
        }
        catch (BadHttpRequestException ex)
        {
            // The client sent a broken body (cut short, bad chunking): its fault, so one counted line, no stack trace.
            rejections.Record(UnreadableText, ex.Message, client);
            return Results.Text(UnreadableText, PlainText, statusCode: StatusCodes.Status400BadRequest);
        }

        if (body is null)
        {
            rejections.Record(TooLargeText, "no Content-Length", client);
            return Results.Text(TooLargeText, PlainText, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var rejection = authenticator.Check(request.Headers[SignatureHeader], request.Headers[TimestampHeader], body, client);
        if (rejection is not null)
        {
            return Results.Text(rejection, PlainText, statusCode: StatusCodes.Status401Unauthorized);
        }

        TelnyxEvent? telnyxEvent;
        string? error;
        try
        {
            _ = TelnyxEventParser.TryParse(body, out telnyxEvent, out error);
        }
        catch (InvalidOperationException)
        {
            // A string field that is not valid UTF-8 (or escapes a lone surrogate) cannot be read as text.
            (telnyxEvent, error) = (null, "body is not valid UTF-8 JSON");
        }

        if (telnyxEvent is null)
        {
            rejections.Record($"bad webhook: {error}", "the body is signed but is not a Telnyx API v2 event", client);
            return Results.Text($"bad webhook: {error}", PlainText, statusCode: StatusCodes.Status400BadRequest);
        }

        LoggingExtensions.DescribeWebhook(context, telnyxEvent.EventType, telnyxEvent.Id, telnyxEvent.Payload.CallControlId);
        var payload = telnyxEvent.Payload;
        var (outcome, room) = await inbox.AcceptAsync(telnyxEvent, context.RequestAborted);
        switch (outcome)
        {
            case InboxOutcome.Accepted:
                Log.Accepted(logger, telnyxEvent.EventType, telnyxEvent.Id, payload.CallControlId, payload.ConferenceId, room);
                break;
            case InboxOutcome.Duplicate:
                // Telnyx delivers at least once: a redelivery is acknowledged and not applied again.
                Log.Duplicate(logger, telnyxEvent.EventType, telnyxEvent.Id!, payload.CallControlId);
                break;
            case InboxOutcome.Busy:
                Log.Busy(logger, telnyxEvent.EventType, telnyxEvent.Id, payload.CallControlId);
                context.Response.Headers.RetryAfter = "1";
                return Results.Text("busy: too many events waiting; send it again later", PlainText,
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            case InboxOutcome.Unavailable:
                // Not written, so not answered 200: Telnyx sends it again (the inbox logged why).
                context.Response.Headers.RetryAfter = "1";
                return Results.Text("unavailable: the event could not be stored; send it again later", PlainText,
                    statusCode: StatusCodes.Status503ServiceUnavailable);
            default:
                Log.Ignored(logger, telnyxEvent.EventType, telnyxEvent.Id, payload.CallControlId, payload.ConferenceId);
                break;
        }

        return Results.Ok();
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadBodyAsync(Stream stream, int limit, CancellationToken ct)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
                if (read == 0)
                {
                    return buffer.AsSpan(0, length).ToArray();
                }

                length += read;
                if (length > limit)
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1000, EventName = "WebhookAccepted", Level = LogLevel.Information, Message = "Webhook {EventType} {WebhookEventId} accepted for room {Room}: call_control_id {CallControlId}, conference_id {ConferenceId}")]
        public static partial void Accepted(ILogger logger, string eventType, string? webhookEventId, string? callControlId, string? conferenceId, string? room);

        [LoggerMessage(EventId = 1004, EventName = "WebhookBusy", Level = LogLevel.Warning, Message = "Webhook {EventType} {WebhookEventId} refused with 503: too many events waiting (Processing:MaxPendingEvents); Telnyx will send it again (call_control_id {CallControlId})")]
        public static partial void Busy(ILogger logger, string eventType, string? webhookEventId, string? callControlId);

        [LoggerMessage(EventId = 1001, EventName = "WebhookIgnored", Level = LogLevel.Information, Message = "Webhook {EventType} {WebhookEventId} acknowledged, nothing to do: call_control_id {CallControlId}, conference_id {ConferenceId}")]
        public static partial void Ignored(ILogger logger, string eventType, string? webhookEventId, string? callControlId, string? conferenceId);

        [LoggerMessage(EventId = 1002, EventName = "WebhookRedelivery", Level = LogLevel.Information, Message = "Webhook {EventType} {WebhookEventId} is a redelivery: acknowledged, not applied again (call_control_id {CallControlId})")]
        public static partial void Duplicate(ILogger logger, string eventType, string webhookEventId, string? callControlId);

    }
}
