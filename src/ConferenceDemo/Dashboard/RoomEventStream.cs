using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using ConferenceDemo.Control;
using ConferenceDemo.Rooms.Processing;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Dashboard;

/// <summary>
/// GET /api/events (every room) and GET /api/rooms/{id}/events (one room): server-sent events. First a snapshot of
/// the room(s), then one message per room event with the feed's sequence number as its id. A reconnect that sends
/// Last-Event-ID gets the events it missed, or a fresh snapshot when the feed no longer holds all of them.
/// </summary>
public static partial class RoomEventStream
{
    public const string ContentType = "text/event-stream";

    public static RouteGroupBuilder MapRoomEvents(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Live events").RequireControlAccess();
        api.MapGet("/events", StreamAll).WithName("GetEvents")
            .WithSummary("Server-sent events of every room: a snapshot, then each room event")
            .Produces(StatusCodes.Status200OK, contentType: ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/rooms/{id}/events", StreamRoom).WithName("GetRoomEvents")
            .WithSummary("Server-sent events of one room: a snapshot, then each room event")
            .Produces(StatusCodes.Status200OK, contentType: ContentType)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    internal static Results<EventStreamResult, ProblemHttpResult> StreamAll(HttpContext context) =>
        Open(context, roomId: null);

    internal static async Task<Results<EventStreamResult, ProblemHttpResult>> StreamRoom(string id, HttpContext context, RoomControl control) =>
        await control.SettingsAsync(id, context.RequestAborted) is null
            ? TypedResults.Problem($"there is no room '{id}'; GET /api/rooms lists them", statusCode: StatusCodes.Status404NotFound,
                title: "no such room")
            : Open(context, id);

    private static Results<EventStreamResult, ProblemHttpResult> Open(HttpContext context, string? roomId)
    {
        var header = context.Request.Headers["Last-Event-ID"].ToString();
        long? after = null;
        if (header.Length > 0)
        {
            if (!long.TryParse(header, NumberStyles.None, CultureInfo.InvariantCulture, out var last))
            {
                return TypedResults.Problem("Last-Event-ID must be the id of an event this stream sent (a whole number)",
                    statusCode: StatusCodes.Status400BadRequest, title: "bad Last-Event-ID");
            }

            after = last;
        }

        return new EventStreamResult(roomId, after);
    }

    /// <summary>Writes one stream until the client goes away or the server stops.</summary>
    public sealed partial class EventStreamResult(string? roomId, long? after) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            var services = httpContext.RequestServices;
            var feed = services.GetRequiredService<IRoomFeed>();
            var time = services.GetRequiredService<HeartbeatClock>().Time;
            var interval = TimeSpan.FromSeconds(services.GetRequiredService<IOptions<DashboardOptions>>().Value.HeartbeatSeconds);
            var logger = services.GetRequiredService<ILogger<EventStreamResult>>();
            using var stopping = CancellationTokenSource.CreateLinkedTokenSource(httpContext.RequestAborted,
                services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping);
            var ct = stopping.Token;

            var response = httpContext.Response;
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = ContentType;
            response.Headers.CacheControl = "no-cache";
            response.Headers["X-Accel-Buffering"] = "no";
            httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

            // Subscribed before the snapshot is read: an event that lands in between is in both, never in neither.
            using var subscription = feed.Subscribe(roomId, after);
            var shown = after ?? 0;
            Log.Opened(logger, roomId ?? "*", after, subscription.Resumed);
            try
            {
                if (after is null || !subscription.Resumed)
                {
                    shown = feed.LastSequence;
                    await WriteAsync(response, shown, "snapshot", await SnapshotAsync(services, roomId, ct), ct);
                }

                await PumpAsync(response, subscription.Reader, shown, time, interval, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                // The client went away, or the server is stopping: the browser reconnects with Last-Event-ID.
            }
            catch (IOException)
            {
                // The connection broke while writing.
            }

            Log.Closed(logger, roomId ?? "*");
        }

        /// <summary>
        /// Sends each event after <paramref name="shown"/> as it comes, and a comment line whenever the stream was
        /// silent for <paramref name="interval"/>. The next heartbeat is armed before each flush, so a reader that has
        /// seen the flushed bytes knows the heartbeat's wait has begun.
        /// </summary>
        private static async Task PumpAsync(HttpResponse response, ChannelReader<RoomFeedItem> reader, long shown, TimeProvider time,
            TimeSpan interval, CancellationToken ct)
        {
            Task<bool>? waiting = null;
            while (true)
            {
                using var quiet = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var heartbeat = Task.Delay(interval, time, quiet.Token);
                await response.Body.FlushAsync(ct);

                waiting ??= reader.WaitToReadAsync(ct).AsTask();
                if (await Task.WhenAny(waiting, heartbeat) == heartbeat)
                {
                    await heartbeat; // throws when cancelled
                    await response.WriteAsync(": keep-alive\n\n", ct);
                    continue;
                }

                await quiet.CancelAsync();
                if (!await waiting)
                {
                    return; // the feed closed the subscription
                }

                waiting = null;
                while (reader.TryRead(out var item))
                {
                    // Events already in the snapshot were read after the snapshot's sequence was taken: skip them.
                    if (item.Sequence > shown)
                    {
                        shown = item.Sequence;
                        await WriteAsync(response, item.Sequence, item.Event.Type, LiveJson.Event(item.Event), ct);
                    }
                }
            }
        }

        private static async Task<JsonObject> SnapshotAsync(IServiceProvider services, string? roomId, CancellationToken ct)
        {
            var control = services.GetRequiredService<RoomControl>();
            var departures = services.GetRequiredService<DepartureLog>();
            var catalog = services.GetRequiredService<ControlCatalog>();
            var rooms = new JsonArray();
            var all = roomId is null ? await control.RoomsAsync(ct)
                : await control.SettingsAsync(roomId, ct) is { } one ? [one] : [];
            foreach (var settings in all)
            {
                var room = await control.GetAsync(settings.Id, ct);
                rooms.Add(LiveJson.Room(settings, room, departures.For(settings.Id),
                    catalog.For(settings.Id, string.Equals(settings.Id, control.DefaultRoom, StringComparison.Ordinal))));
            }

            return new JsonObject { ["room"] = roomId, ["rooms"] = rooms };
        }

        private static Task WriteAsync(HttpResponse response, long id, string type, JsonObject data, CancellationToken ct)
        {
            // JSON written on one line never holds a raw newline, so one data: line carries it.
            var text = new StringBuilder()
                .Append("id: ").Append(id.ToString(CultureInfo.InvariantCulture)).Append('\n')
                .Append("event: ").Append(type).Append('\n')
                .Append("data: ").Append(data.ToJsonString(LiveJson.Options)).Append("\n\n")
                .ToString();
            return response.WriteAsync(text, ct);
        }

        private static partial class Log
        {
            [LoggerMessage(1701, LogLevel.Debug, "Event stream opened for {Room} (after {After}, resumed {Resumed})", EventName = "EventStreamOpened")]
            public static partial void Opened(ILogger logger, string room, long? after, bool resumed);

            [LoggerMessage(1702, LogLevel.Debug, "Event stream closed for {Room}", EventName = "EventStreamClosed")]
            public static partial void Closed(ILogger logger, string room);
        }
    }
}
