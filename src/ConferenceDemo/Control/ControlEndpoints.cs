using System.Text;
using ConferenceDemo.Conference;
using ConferenceDemo.Telnyx;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>
/// The demo's GET control URLs under /{prefix}/, answering in plain text with the demo's texts. Each waits for
/// Telnyx: 200 when the command went through, 4xx for a request that cannot work, 502/504 when Telnyx failed.
/// </summary>
public static class ControlEndpoints
{
    public const string NoConferenceText = "no participant or no conference exists";
    private const string PlainText = "text/plain; charset=utf-8";

    public static RouteGroupBuilder MapConferenceControl(this IEndpointRouteBuilder app)
    {
        var prefix = app.ServiceProvider.GetRequiredService<IOptions<ConferenceOptions>>().Value.RoutePrefix;
        var group = app.MapGroup($"/{prefix}").WithTags("Control");

        group.MapGet("/list", ListAsync);
        group.MapGet("/mute", (HttpContext c, ConferenceControl control) =>
            OnParticipantAsync(c, control.MuteAsync, p => $"participant muted [{p}]"));
        group.MapGet("/unmute", (HttpContext c, ConferenceControl control) =>
            OnParticipantAsync(c, control.UnmuteAsync, p => $"participant unmuted [{p}]"));
        group.MapGet("/hold", (HttpContext c, ConferenceControl control) =>
            OnParticipantAsync(c, control.HoldAsync, p => $"participant on hold [{p}]"));
        group.MapGet("/unhold", (HttpContext c, ConferenceControl control) =>
            OnParticipantAsync(c, control.UnholdAsync, p => $"participant resumed [{p}]"));
        group.MapGet("/record-start", (HttpContext c, ConferenceControl control) =>
            OnParticipantAsync(c, control.StartRecordingAsync, p => $"recording started for {p}"));
        group.MapGet("/record-stop", (HttpContext c, ConferenceControl control) =>
            OnParticipantAsync(c, control.StopRecordingAsync, p => $"recording stopped for {p}"));
        group.MapGet("/pull", PullAsync);
        return group;
    }

    internal static async Task<IResult> ListAsync(ConferenceControl control, CancellationToken ct)
    {
        var snapshot = await control.ListAsync(ct);
        if (snapshot is null)
        {
            return Text(NoConferenceText, StatusCodes.Status200OK);
        }

        var text = new StringBuilder($"Conference ID: {snapshot.ConferenceId}\n\nParticipant List: \n");
        foreach (var p in snapshot.Participants)
        {
            text.Append(p.CallControlId).Append(" - [").Append(p.Number).Append("] \n");
        }

        return Text(text.ToString(), StatusCodes.Status200OK);
    }

    internal static async Task<IResult> PullAsync(HttpContext context, ConferenceControl control)
    {
        if (!TryGetSingle(context, "number", out var number, out var problem))
        {
            return problem;
        }

        if (number.StartsWith(' '))
        {
            // An unencoded '+' in a query string is a space.
            return Text($"number '{number}' starts with a space: encode + as %2B, e.g. pull?number=%2B{number.TrimStart()}", StatusCodes.Status400BadRequest);
        }

        var result = await control.PullAsync(number, context.RequestAborted);
        return ToHttp(result, $"calling {number}");
    }

    private static async Task<IResult> OnParticipantAsync(HttpContext context,
        Func<string, CancellationToken, Task<ControlResult>> action, Func<string, string> successText)
    {
        if (!TryGetSingle(context, "participant", out var participant, out var problem))
        {
            return problem;
        }

        var result = await action(participant, context.RequestAborted);
        return ToHttp(result, successText(participant));
    }

    private static bool TryGetSingle(HttpContext context, string name, out string value, out IResult problem)
    {
        var values = context.Request.Query[name];
        value = values.Count == 1 ? values[0]! : "";
        problem = values.Count switch
        {
            0 => Text($"missing query parameter '{name}'", StatusCodes.Status400BadRequest),
            > 1 => Text($"give '{name}' once", StatusCodes.Status400BadRequest),
            _ when string.IsNullOrWhiteSpace(value) => Text($"query parameter '{name}' is empty", StatusCodes.Status400BadRequest),
            _ => Results.Empty,
        };
        return values.Count == 1 && !string.IsNullOrWhiteSpace(value);
    }

    private static IResult ToHttp(ControlResult result, string successText) => result.Outcome switch
    {
        ControlOutcome.Done => Text(successText, StatusCodes.Status200OK),
        ControlOutcome.NoConference => Text(NoConferenceText, StatusCodes.Status404NotFound),
        ControlOutcome.UnknownParticipant => Text(result.Detail!, StatusCodes.Status404NotFound),
        ControlOutcome.InvalidNumber => Text(result.Detail!, StatusCodes.Status400BadRequest),
        ControlOutcome.NotConfigured => Text($"not configured: {result.Detail}", StatusCodes.Status503ServiceUnavailable),
        ControlOutcome.CallEnded => Text($"the call has ended: {result.Detail}", StatusCodes.Status410Gone),
        _ => result.Failure?.Failure switch
        {
            TelnyxFailure.TimedOut => Text($"Telnyx timed out: {result.Detail}", StatusCodes.Status504GatewayTimeout),
            TelnyxFailure.Unreachable => Text($"Telnyx unreachable: {result.Detail}", StatusCodes.Status502BadGateway),
            _ => Text($"Telnyx error: {result.Detail}", StatusCodes.Status502BadGateway),
        },
    };

    private static IResult Text(string text, int status) => Results.Text(text, PlainText, Encoding.UTF8, status);
}
