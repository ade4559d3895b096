using ConferenceDemo.Conference;

namespace ConferenceDemo.Control;

/// <summary>One line per owner action: who (the signed-in user), what, to whom, and what came of it.</summary>
internal static partial class ControlAudit
{
    public static void Action(HttpContext context, string action, string participant, ControlResult result)
    {
        var logger = LoggerOf(context);
        if (result.Outcome == ControlOutcome.Done)
        {
            Log.ActionDone(logger, UserOf(context), action, participant);
        }
        else
        {
            Log.ActionFailed(logger, UserOf(context), action, participant, result.Outcome, result.Detail ?? "");
        }
    }

    public static void Pull(HttpContext context, string number, ControlResult result)
    {
        var logger = LoggerOf(context);
        if (result.Outcome == ControlOutcome.Done)
        {
            Log.PullDone(logger, UserOf(context), number, result.CallControlId ?? "(none)");
        }
        else
        {
            Log.PullFailed(logger, UserOf(context), number, result.Outcome, result.Detail ?? "");
        }
    }

    private static string UserOf(HttpContext context) => context.User.Identity?.Name ?? "(anonymous)";

    private static ILogger LoggerOf(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ControlAudit));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1220, EventName = "ControlActionDone", Level = LogLevel.Information,
            Message = "Control {Action} by {User} on participant {Participant}: done")]
        public static partial void ActionDone(ILogger logger, string user, string action, string participant);

        [LoggerMessage(EventId = 1221, EventName = "ControlActionFailed", Level = LogLevel.Warning,
            Message = "Control {Action} by {User} on participant {Participant}: {Outcome} {Detail}")]
        public static partial void ActionFailed(ILogger logger, string user, string action, string participant, ControlOutcome outcome, string detail);

        [LoggerMessage(EventId = 1222, EventName = "ControlPullDone", Level = LogLevel.Information,
            Message = "Control pull by {User} of {Number}: calling, new call_control_id {CallControlId}")]
        public static partial void PullDone(ILogger logger, string user, string number, string callControlId);

        [LoggerMessage(EventId = 1223, EventName = "ControlPullFailed", Level = LogLevel.Warning,
            Message = "Control pull by {User} of {Number}: {Outcome} {Detail}")]
        public static partial void PullFailed(ILogger logger, string user, string number, ControlOutcome outcome, string detail);
    }
}
