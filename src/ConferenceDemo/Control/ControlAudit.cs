using ConferenceDemo.Rooms;

namespace ConferenceDemo.Control;

/// <summary>One line per owner action: who (the signed-in user), what, to whom, and what came of it.</summary>
internal static partial class ControlAudit
{
    public static void Action(HttpContext context, string room, string action, string participant, ActionOutcome result)
    {
        var logger = LoggerOf(context);
        if (result.Kind == OutcomeKind.Done)
        {
            Log.ActionDone(logger, UserOf(context), action, participant, room);
        }
        else
        {
            Log.ActionFailed(logger, UserOf(context), action, participant, room, result.Kind, result.Detail ?? "");
        }
    }

    public static void Pull(HttpContext context, string room, string number, ActionOutcome result)
    {
        var logger = LoggerOf(context);
        if (result.Kind == OutcomeKind.Done)
        {
            Log.PullDone(logger, UserOf(context), number, room, result.CallControlId ?? "(none)");
        }
        else
        {
            Log.PullFailed(logger, UserOf(context), number, room, result.Kind, result.Detail ?? "");
        }
    }

    private static string UserOf(HttpContext context) => context.User.Identity?.Name ?? "(anonymous)";

    private static ILogger LoggerOf(HttpContext context) =>
        context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ControlAudit));

    private static partial class Log
    {
        [LoggerMessage(EventId = 1220, EventName = "ControlActionDone", Level = LogLevel.Information,
            Message = "Control {Action} by {User} on participant {Participant} in room {Room}: done")]
        public static partial void ActionDone(ILogger logger, string user, string action, string participant, string room);

        [LoggerMessage(EventId = 1221, EventName = "ControlActionFailed", Level = LogLevel.Warning,
            Message = "Control {Action} by {User} on participant {Participant} in room {Room}: {Outcome} {Detail}")]
        public static partial void ActionFailed(ILogger logger, string user, string action, string participant, string room, OutcomeKind outcome, string detail);

        [LoggerMessage(EventId = 1222, EventName = "ControlPullDone", Level = LogLevel.Information,
            Message = "Control pull by {User} of {Number} into room {Room}: calling, new call_control_id {CallControlId}")]
        public static partial void PullDone(ILogger logger, string user, string number, string room, string callControlId);

        [LoggerMessage(EventId = 1223, EventName = "ControlPullFailed", Level = LogLevel.Warning,
            Message = "Control pull by {User} of {Number} into room {Room}: {Outcome} {Detail}")]
        public static partial void PullFailed(ILogger logger, string user, string number, string room, OutcomeKind outcome, string detail);
    }
}
