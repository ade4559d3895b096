using System.Text;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Telnyx;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>
/// The demo's GET control URLs under /{prefix}/: plain text with the demo's texts, or JSON when the client asks
/// for it (Accept: application/json). Each waits for Telnyx: 200 when the command went through, 4xx for a request
/// that cannot work, 502/504 when Telnyx failed. Owner only (see <see cref="ControlExtensions"/>).
/// </summary>
public static class ControlEndpoints
{
    private const string PlainText = "text/plain; charset=utf-8";

    public static RouteGroupBuilder MapConferenceControl(this IEndpointRouteBuilder app)
    {
        var prefix = app.ServiceProvider.GetRequiredService<IOptions<ConferenceOptions>>().Value.RoutePrefix;
        var group = app.MapGroup($"/{prefix}").WithTags("Demo URLs (GET)").RequireControlAccess();

        group.MapGet("/list", ListAsync).WithName("List").WithSummary("The conference and its participants").WithMetadata(new ReadOnlyControlRoute())
            .Produces<ConferenceView>(StatusCodes.Status200OK, "application/json", "text/plain");
        foreach (var action in ControlActions.Participant)
        {
            group.MapGet($"/{action.Name}", (HttpContext context, RoomControl control) => OnParticipantAsync(context, control, action))
                .WithName($"Get{action.PascalName}")
                .WithSummary($"{action.Summary} (?participant=<call_control_id>)")
                .WithMetadata(new QueryParameter("participant", "the participant's call_control_id, as list shows it", "v3:abc123"))
                .Produces<ActionView>(StatusCodes.Status200OK, "application/json", "text/plain")
                .ProducesFailures(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden, StatusCodes.Status404NotFound,
                    StatusCodes.Status410Gone);
        }

        group.MapGet("/pull", PullAsync).WithName("GetPull").WithSummary("Dial a number into the conference (?number=%2B15551234567)")
            .WithMetadata(new QueryParameter("number", "the number to dial, E.164 (encode + as %2B)", "+15551234567"))
            .Produces<CallView>(StatusCodes.Status200OK, "application/json", "text/plain")
            .ProducesFailures(StatusCodes.Status400BadRequest, StatusCodes.Status403Forbidden)
            .RequireRateLimiting(ControlExtensions.PullPolicy);
        return group;
    }

    /// <summary>The failures a GET URL can answer (text, or Problem Details when JSON is asked for), Telnyx's included.</summary>
    private static RouteHandlerBuilder ProducesFailures(this RouteHandlerBuilder route, params int[] statuses)
    {
        foreach (var status in statuses.Concat([StatusCodes.Status502BadGateway, StatusCodes.Status503ServiceUnavailable, StatusCodes.Status504GatewayTimeout]))
        {
            route.Produces<string>(status, "text/plain").ProducesProblem(status);
        }

        return route;
    }

    internal static async Task<IResult> ListAsync(HttpContext context, RoomControl control)
    {
        var room = await control.GetAsync(control.DefaultRoom, context.RequestAborted);
        if (WantsJson(context.Request))
        {
            return TypedResults.Ok(ConferenceView.From(room));
        }

        if (!room.IsActive)
        {
            return Text(ControlActions.NoConferenceText, StatusCodes.Status200OK);
        }

        var text = new StringBuilder($"Conference ID: {room.ConferenceId}\n\nParticipant List: \n");
        foreach (var p in room.Participants)
        {
            text.Append(p.CallControlId).Append(" - [").Append(p.Number).Append("] \n");
        }

        return Text(text.ToString(), StatusCodes.Status200OK);
    }

    internal static async Task<IResult> PullAsync(HttpContext context, RoomControl control)
    {
        if (!TryGetSingle(context, "number", out var number, out var problem))
        {
            return problem;
        }

        if (number.StartsWith(' '))
        {
            // An unencoded '+' in a query string is a space.
            return BadRequest(context, $"number '{number}' starts with a space: encode + as %2B, e.g. pull?number=%2B{number.TrimStart()}");
        }

        var result = await control.RunAsync(control.DefaultRoom, new OwnerAction(OwnerActionKind.Pull, Number: number), context.RequestAborted);
        ControlAudit.Pull(context, control.DefaultRoom, number, result);
        var message = $"calling {number}";
        return result.Kind == OutcomeKind.Done
            ? WantsJson(context.Request) ? TypedResults.Ok(new CallView(number, result.CallControlId, "calling", message)) : Text(message, 200)
            : Failure(context, result);
    }

    private static async Task<IResult> OnParticipantAsync(HttpContext context, RoomControl control, ParticipantAction action)
    {
        if (!TryGetSingle(context, "participant", out var participant, out var problem))
        {
            return problem;
        }

        if (!TelnyxIds.IsValid(participant))
        {
            return BadRequest(context, NotAnId(participant));
        }

        var result = await action.RunAsync(control, control.DefaultRoom, participant, context.RequestAborted);
        ControlAudit.Action(context, control.DefaultRoom, action.Name, participant, result);
        var message = action.SuccessText(participant);
        return result.Kind == OutcomeKind.Done
            ? WantsJson(context.Request) ? TypedResults.Ok(new ActionView(action.Name, participant, "done", message)) : Text(message, 200)
            : Failure(context, result);
    }

    private static bool TryGetSingle(HttpContext context, string name, out string value, out IResult problem)
    {
        var values = context.Request.Query[name];
        value = values.Count == 1 ? values[0]! : "";
        problem = values.Count switch
        {
            0 => BadRequest(context, $"missing query parameter '{name}'"),
            > 1 => BadRequest(context, $"give '{name}' once"),
            _ when string.IsNullOrWhiteSpace(value) => BadRequest(context, $"query parameter '{name}' is empty"),
            _ => Results.Empty,
        };
        return values.Count == 1 && !string.IsNullOrWhiteSpace(value);
    }

    /// <summary>The 400 text for a participant that cannot be a call control id; no Telnyx URL is ever built from it.</summary>
    internal static string NotAnId(string participant) =>
        $"participant '{(participant.Length > 80 ? participant[..80] + "…" : participant)}' is not a call control id ({TelnyxIds.Rule})";

    internal static bool WantsJson(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Value is "application/json" or "application/problem+json");

    private static IResult BadRequest(HttpContext context, string detail) => WantsJson(context.Request)
        ? TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "bad request")
        : Text(detail, StatusCodes.Status400BadRequest);

    private static IResult Failure(HttpContext context, ActionOutcome result)
    {
        var (status, title) = ControlActions.Failure(result);
        return WantsJson(context.Request)
            ? TypedResults.Problem(result.Detail ?? title, statusCode: status, title: title)
            : Text(ControlActions.FailureText(result), status);
    }

    private static IResult Text(string text, int status) => Results.Text(text, PlainText, Encoding.UTF8, status);
}
