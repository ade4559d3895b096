using System.Text.RegularExpressions;
using ConferenceDemo.Control;
using ConferenceDemo.Telnyx;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Simulator;

/// <summary>POST /api/simulator/calls: who calls, and which number (default: TELNYX_PHONE_NUMBER).</summary>
public sealed record PlaceCallRequest(string? From, string? To);

public sealed record PlacedCall(string CallControlId, string From, string To, string State);

public sealed record DigitsRequest(string? Digits);

public sealed record CallList(IReadOnlyList<SimulatedCall> Calls);

public sealed record CommandList(IReadOnlyList<SimulatorCommand> Commands);

/// <summary>
/// The simulator's own API, to play the callers' side: place a call, press keys, hang up, and see every call. Owner
/// only (the control routes' sign-in and rate limit), and mapped only in simulator mode.
/// </summary>
public static partial class SimulatorApi
{
    /// <summary>The number simulated callers dial when TELNYX_PHONE_NUMBER is not set.</summary>
    public const string PlaceholderNumber = "+15550100000";

    public static RouteGroupBuilder MapSimulatorApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/simulator").WithTags("Telnyx simulator").RequireControlAccess();
        api.MapPost("/calls", PlaceCall).WithName("PostSimulatorCall").WithSummary("A simulated caller dials in")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        api.MapGet("/calls", ListCalls).WithName("GetSimulatorCalls").WithSummary("Every simulated call and what it hears");
        api.MapPost("/calls/{callControlId}/digits", SendDigits).WithName("PostSimulatorDigits").WithSummary("The caller presses keys")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapPost("/calls/{callControlId}/hangup", HangUp).WithName("PostSimulatorHangup").WithSummary("The caller hangs up")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        api.MapGet("/commands", ListCommands).WithName("GetSimulatorCommands").WithSummary("The REST requests the simulated Telnyx answered");
        return api;
    }

    internal static Results<Created<PlacedCall>, ProblemHttpResult> PlaceCall(PlaceCallRequest? request, SimulatedTelnyx telnyx,
        IOptions<TelnyxOptions> telnyxOptions)
    {
        var from = request?.From;
        var to = string.IsNullOrEmpty(request?.To) ? telnyxOptions.Value.PhoneNumber ?? PlaceholderNumber : request.To;
        if (string.IsNullOrEmpty(from) || !PhoneNumbers.IsE164(from))
        {
            return BadRequest("\"from\" must be an E.164 number such as +15550001111");
        }

        if (!PhoneNumbers.IsE164(to))
        {
            return BadRequest("\"to\" must be an E.164 number such as +15559990000");
        }

        var call = telnyx.PlaceInboundCall(from, to);
        return TypedResults.Created($"/api/simulator/calls/{Uri.EscapeDataString(call.CallControlId)}",
            new PlacedCall(call.CallControlId, call.From, call.To, call.State));
    }

    internal static Ok<CallList> ListCalls(SimulatedTelnyx telnyx) => TypedResults.Ok(new CallList(telnyx.Calls()));

    internal static Results<Accepted, ProblemHttpResult> SendDigits(string callControlId, DigitsRequest? request, SimulatedTelnyx telnyx)
    {
        if (request?.Digits is not { Length: > 0 and <= 64 } digits || !Keys().IsMatch(digits))
        {
            return BadRequest("\"digits\" must be 1 to 64 keys of 0-9, A-D, * and #, e.g. \"1234#\"");
        }

        return telnyx.Call(callControlId) switch
        {
            null => NotFound(callControlId),
            { State: not ("answered" or "in_conference") } call => Conflict($"call {callControlId} is {call.State}; keys reach only an answered call"),
            _ => telnyx.SendDigits(callControlId, digits) ? TypedResults.Accepted((string?)null) : Conflict($"call {callControlId} is not answered"),
        };
    }

    internal static Results<Accepted, ProblemHttpResult> HangUp(string callControlId, SimulatedTelnyx telnyx) =>
        telnyx.Call(callControlId) switch
        {
            null => NotFound(callControlId),
            { State: "ended" } => Conflict($"call {callControlId} has already ended"),
            _ => telnyx.HangUpByCaller(callControlId) ? TypedResults.Accepted((string?)null) : Conflict($"call {callControlId} has already ended"),
        };

    internal static Ok<CommandList> ListCommands(SimulatorCommandLog log) => TypedResults.Ok(new CommandList(log.All()));

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "bad request");

    private static ProblemHttpResult NotFound(string callControlId) =>
        TypedResults.Problem($"no simulated call {callControlId}", statusCode: StatusCodes.Status404NotFound, title: "no such call");

    private static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "not possible now");

    [GeneratedRegex("^[0-9A-D*#]+$")]
    private static partial Regex Keys();
}
