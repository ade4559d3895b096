namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// At start, before the first webhook is taken: commands a previous run committed but never saw answered are sent
/// again (with their command_id, so Telnyx drops a repeat), then events it wrote to the inbox but did not apply are
/// applied, in arrival order per room. Each turn's mark makes both happen once, however often the server restarts.
/// </summary>
internal sealed partial class RoomRecovery(IRoomJournal journal, RoomProcessor processor, ILogger<RoomRecovery> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var commands = await journal.UnansweredAsync(cancellationToken);
        var events = await journal.UnappliedAsync(cancellationToken);
        foreach (var command in commands)
        {
            processor.Resend(command);
        }

        foreach (var entry in events)
        {
            processor.Replay(entry);
        }

        if (commands.Count + events.Count > 0)
        {
            Log.Recovered(logger, events.Count, commands.Count);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(1421, LogLevel.Warning, "Recovering from an earlier run: {Events} event(s) written but not applied, {Commands} command(s) sent again", EventName = "Recovered")]
        public static partial void Recovered(ILogger logger, int events, int commands);
    }
}
