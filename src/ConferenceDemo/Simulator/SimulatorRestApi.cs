using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Simulator;

/// <summary>One REST request the simulated Telnyx answered, for GET /api/simulator/commands.</summary>
public sealed record SimulatorCommand(DateTimeOffset At, string Method, string Path, string Query, string Body, int Status, string Reply);

/// <summary>The last requests the simulated Telnyx answered, oldest first (bounded).</summary>
public sealed class SimulatorCommandLog
{
    private const int Capacity = 2000;
    private readonly Queue<SimulatorCommand> _commands = new();
    private readonly Lock _gate = new();

    public void Add(SimulatorCommand command)
    {
        lock (_gate)
        {
            _commands.Enqueue(command);
            while (_commands.Count > Capacity)
            {
                _commands.Dequeue();
            }
        }
    }

    public IReadOnlyList<SimulatorCommand> All()
    {
        lock (_gate)
        {
            return [.. _commands];
        }
    }
}

/// <summary>
/// Telnyx's REST API as the typed client calls it, mounted at /simulator/v2 in this process: Bearer auth (any
/// non-empty key), injected failures on request, every request checked against Telnyx's schemas (422 with errors[]
/// when the spec refuses it), then run by <see cref="SimulatedTelnyx"/>.
/// </summary>
public static partial class SimulatorRestApi
{
    public const string Mount = "/simulator/v2";

    private static readonly HashSet<string> CallActions =
        ["answer", "hangup", "speak", "gather_using_speak", "playback_start", "playback_stop", "record_start", "record_stop", "record_pause", "record_resume"];

    private static readonly HashSet<string> ConferenceActions =
        ["join", "leave", "mute", "unmute", "hold", "unhold", "speak", "play", "stop", "record_start", "record_stop", "record_pause", "record_resume", "end", "update"];

    public static RouteGroupBuilder MapSimulatorRest(this IEndpointRouteBuilder app)
    {
        var rest = app.MapGroup(Mount).ExcludeFromDescription();
        rest.MapPost("/calls", DialAsync);
        rest.MapPost("/calls/{callControlId}/actions/{action}", CallActionAsync);
        rest.MapPost("/conferences", CreateConferenceAsync);
        rest.MapGet("/conferences", ListConferencesAsync);
        rest.MapGet("/conferences/{conferenceId}/participants", ListParticipantsAsync);
        rest.MapPost("/conferences/{id}/actions/{action}", ConferenceActionAsync);
        rest.MapGet("/recordings/{recordingId}", GetRecordingAsync);
        return rest;
    }

    internal static Task<IResult> DialAsync(HttpContext context, SimulatedTelnyx telnyx) =>
        HandleAsync(context, "POST /calls", new Dictionary<string, string>(), body => telnyx.Dial(body ?? []));

    internal static Task<IResult> CallActionAsync(HttpContext context, string callControlId, string action, SimulatedTelnyx telnyx) =>
        CallActions.Contains(action)
            ? HandleAsync(context, $"POST /calls/{{call_control_id}}/actions/{action}", new Dictionary<string, string> { ["call_control_id"] = callControlId },
                body => telnyx.CallAction(callControlId, action, body ?? []))
            : HandleAsync(context, null, null, _ => NoSuchPath(context));

    internal static Task<IResult> CreateConferenceAsync(HttpContext context, SimulatedTelnyx telnyx) =>
        HandleAsync(context, "POST /conferences", new Dictionary<string, string>(), body => telnyx.CreateConference(body ?? []));

    internal static Task<IResult> ListConferencesAsync(HttpContext context, SimulatedTelnyx telnyx) =>
        HandleAsync(context, "GET /conferences", new Dictionary<string, string>(), _ =>
        {
            var query = context.Request.Query;
            return telnyx.ListConferences(Single(query, "filter[name]"), Single(query, "filter[status]"),
                PageValue(query, "page[number]", 1), PageValue(query, "page[size]", 20));
        });

    internal static Task<IResult> ListParticipantsAsync(HttpContext context, string conferenceId, SimulatedTelnyx telnyx) =>
        HandleAsync(context, "GET /conferences/{conference_id}/participants", new Dictionary<string, string> { ["conference_id"] = conferenceId }, _ =>
        {
            var query = context.Request.Query;
            return telnyx.ListParticipants(conferenceId, PageValue(query, "page[number]", 1), PageValue(query, "page[size]", 20));
        });

    internal static Task<IResult> ConferenceActionAsync(HttpContext context, string id, string action, SimulatedTelnyx telnyx) =>
        ConferenceActions.Contains(action)
            ? HandleAsync(context, $"POST /conferences/{{id}}/actions/{action}", new Dictionary<string, string> { ["id"] = id },
                body => telnyx.ConferenceAction(id, action, body ?? []))
            : HandleAsync(context, null, null, _ => NoSuchPath(context));

    internal static Task<IResult> GetRecordingAsync(HttpContext context, string recordingId, SimulatedTelnyx telnyx) =>
        HandleAsync(context, "GET /recordings/{recording_id}", new Dictionary<string, string> { ["recording_id"] = recordingId },
            _ => telnyx.GetRecording(recordingId));

    /// <summary>Auth, injected failure, body read and checked against the spec, then <paramref name="run"/>; logged either way.</summary>
    private static async Task<IResult> HandleAsync(HttpContext context, string? operation, IReadOnlyDictionary<string, string>? path,
        Func<JsonObject?, SimulatorReply> run)
    {
        var services = context.RequestServices;
        var request = context.Request;
        using var reader = new StreamReader(request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        var reply = Decide(context, operation, path, text, run, out var retryAfter);

        services.GetRequiredService<SimulatorCommandLog>().Add(new SimulatorCommand(
            services.GetRequiredService<TimeProvider>().GetUtcNow(), request.Method, request.Path.ToUriComponent(), request.QueryString.Value ?? "", text, reply.Status,
            reply.Body.ToJsonString()));
        Log.Answered(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SimulatorRestApi)), request.Method,
            request.Path.Value ?? "", reply.Status);
        if (retryAfter)
        {
            context.Response.Headers.RetryAfter = "1";
        }

        return Results.Text(reply.Body.ToJsonString(), "application/json", statusCode: reply.Status);
    }

    private static SimulatorReply Decide(HttpContext context, string? operation, IReadOnlyDictionary<string, string>? path, string text,
        Func<JsonObject?, SimulatorReply> run, out bool retryAfter)
    {
        retryAfter = false;
        var services = context.RequestServices;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || string.IsNullOrWhiteSpace(authorization[7..]))
        {
            return SimulatorReply.Error(401, "10009", "Authentication failed",
                "The required authentication headers were either invalid or not included in the request.");
        }

        if (operation is null)
        {
            return run(null);
        }

        var options = services.GetRequiredService<IOptions<SimulatorOptions>>().Value;
        var random = services.GetRequiredService<SimulatorRandom>();
        if (random.Chance(options.FailureRate))
        {
            // A command that fails is not run: the client's retry (same command_id) is what runs it.
            if (random.Chance(0.5))
            {
                retryAfter = true;
                return SimulatorReply.Error(429, "10011", "Too many requests", "You have exceeded the maximum number of allowed requests.");
            }

            return SimulatorReply.Error(500, "10007", "Internal server error", "Internal server error");
        }

        JsonDocument? document = null;
        try
        {
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    document = JsonDocument.Parse(text);
                }
                catch (JsonException)
                {
                    return SimulatorReply.Error(400, "10028", "Unable to decode the request body", "The request body is not valid JSON.");
                }
            }

            var query = context.Request.Query.SelectMany(q => q.Value.Select(v => new KeyValuePair<string, string>(q.Key, v ?? "")));
            var schemas = services.GetRequiredService<TelnyxRequestSchemas>();
            if (schemas.Validate(operation, document?.RootElement, path, query) is { } violation)
            {
                return SimulatorReply.From(violation);
            }

            return run(document is null ? null : JsonNode.Parse(text) as JsonObject);
        }
        finally
        {
            document?.Dispose();
        }
    }

    private static SimulatorReply NoSuchPath(HttpContext context) =>
        SimulatorReply.Error(404, "10005", "Resource not found", $"The simulator does not serve {context.Request.Method} {context.Request.Path}.");

    private static string? Single(IQueryCollection query, string name) => query.TryGetValue(name, out var values) ? values.ToString() : null;

    private static int PageValue(IQueryCollection query, string name, int fallback) =>
        int.TryParse(Single(query, name), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            ? value
            : fallback;

    private static partial class Log
    {
        [LoggerMessage(1620, LogLevel.Debug, "Simulated Telnyx answered {Method} {Path}: {Status}", EventName = "SimulatorRestAnswered")]
        public static partial void Answered(ILogger logger, string method, string path, int status);
    }
}
