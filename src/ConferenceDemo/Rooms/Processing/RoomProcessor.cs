using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// Runs rooms: each input gets a turn of its room (load, decide, commit: no I/O but the store's), then the
/// decision's commands are sent and their answers come back as inputs of the same room. Nothing waits on Telnyx while
/// it holds a room, so a slow command delays only what depends on its answer.
/// </summary>
public sealed partial class RoomProcessor(
    IRoomStore store,
    RoomDirectory directory,
    ICallControl callControl,
    IRoomFeed feed,
    TimeProvider clock,
    IOptions<ProcessingOptions> options,
    ILogger<RoomProcessor> logger)
{
    private readonly RoomTurns _turns = new();
    private readonly ConcurrentDictionary<long, Pending> _pending = new();
    private readonly ConcurrentDictionary<long, Task> _sending = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<ActionOutcome>> _waiters = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _abandon = new();
    private long _nextTicket;
    private int _pendingEvents;

    /// <summary>One input waiting for its turn: for the shutdown report.</summary>
    private sealed record Pending(string Room, RoomInput Input);

    /// <summary>Webhook events accepted and not yet decided.</summary>
    public int PendingEvents => Volatile.Read(ref _pendingEvents);

    /// <summary>
    /// Takes a place for one webhook event, or false when <see cref="ProcessingOptions.MaxPendingEvents"/> are waiting
    /// already. A place must be used by <see cref="Accept"/> or given back by <see cref="Release"/>.
    /// </summary>
    public bool TryReserve()
    {
        if (Interlocked.Increment(ref _pendingEvents) <= options.Value.MaxPendingEvents)
        {
            return true;
        }

        Interlocked.Decrement(ref _pendingEvents);
        return false;
    }

    public void Release() => Interlocked.Decrement(ref _pendingEvents);

    /// <summary>
    /// Queues a webhook event (with a reserved place) behind the room's earlier inputs. With the id it has in the
    /// inbox, the turn that decides it marks it applied in the same commit.
    /// </summary>
    public void Accept(string roomId, RoomInput input, string? eventId = null) =>
        _ = TurnAsync(roomId, input, reserved: true, new TurnMarks(AppliedEvent: eventId)); // never faults: a failure is logged

    /// <summary>Applies an event a previous run wrote to the inbox and did not apply (at start, before new webhooks).</summary>
    public void Replay(InboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        _ = TurnAsync(entry.Room, entry.Input, reserved: false, new TurnMarks(AppliedEvent: entry.EventId));
    }

    /// <summary>Sends again a command a previous run committed without deciding its answer: same command, same command_id.</summary>
    public void Resend(OutboxEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Track(SendAsync(entry.Room, entry.Command));
    }

    /// <summary>Decides an owner's action and waits for the answer to the command it sent (or its refusal).</summary>
    public async Task<ActionOutcome> RunAsync(string roomId, OwnerAction action, CancellationToken ct = default)
    {
        var turn = await TurnAsync(roomId, action, reserved: false, default);
        if (turn.Awaiting is { } awaiting)
        {
            return await awaiting.WaitAsync(ct);
        }

        return turn.Decision?.Outcome
            ?? new ActionOutcome(OutcomeKind.CommandFailed, "the action could not be decided; see the server log");
    }

    /// <summary>Completes when no input waits for a turn and no command is on its way: everything accepted is applied.</summary>
    public async Task WhenIdleAsync(CancellationToken ct = default)
    {
        while (true)
        {
            await _turns.WhenIdleAsync(ct);
            Task[] sending = [.. _sending.Values];
            if (sending.Length == 0 && _pending.IsEmpty)
            {
                return;
            }

            await Task.WhenAll(sending).WaitAsync(ct);
        }
    }

    /// <summary>The calls whose inputs are still waiting, and the commands still on their way: for the shutdown report.</summary>
    public (int Inputs, int Commands, IReadOnlyList<string> Calls) Unfinished()
    {
        var calls = _pending.Values.Select(p => LegOf(p.Input)).OfType<string>().Distinct().ToList();
        return (_pending.Count, _sending.Count, calls);
    }

    /// <summary>Stops waiting for Telnyx: commands on their way are cancelled (used when the drain time is over).</summary>
    public void Abandon() => _abandon.Cancel();

    private sealed record TurnResult(Decision? Decision, Task<ActionOutcome>? Awaiting);

    private Task<TurnResult> TurnAsync(string roomId, RoomInput input, bool reserved, TurnMarks marks)
    {
        var ticket = Interlocked.Increment(ref _nextTicket);
        _pending[ticket] = new Pending(roomId, input);
        return _turns.RunAsync(roomId, async () =>
        {
            try
            {
                return await DecideAsync(roomId, input, marks);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.TurnFailed(logger, ex, roomId, input.GetType().Name, LegOf(input));
                if (input is CommandCompleted { Command.ForOwner: true } completed && _waiters.TryRemove(completed.Command.Id, out var waiter))
                {
                    waiter.TrySetResult(new ActionOutcome(OutcomeKind.CommandFailed, "the answer could not be applied; see the server log"));
                }

                return new TurnResult(null, null);
            }
            finally
            {
                _pending.TryRemove(ticket, out _);
                if (reserved)
                {
                    Release();
                }
            }
        });
    }

    private async Task<TurnResult> DecideAsync(string roomId, RoomInput input, TurnMarks marks)
    {
        var settings = await directory.FindAsync(roomId) ?? throw new InvalidOperationException($"no room {roomId}");
        var decision = await store.DecideAsync(roomId, room => RoomRules.Decide(room, settings, input, clock.GetUtcNow()), marks);
        if (decision is null)
        {
            // Decided before: by a run that crashed after its commit, or by another instance sharing the store.
            Log.AlreadyDecided(logger, roomId, input.GetType().Name, LegOf(input));
            if (input is CommandCompleted { Command.ForOwner: true } completed && _waiters.TryRemove(completed.Command.Id, out var other))
            {
                other.TrySetResult(new ActionOutcome(OutcomeKind.CommandFailed, "the answer was applied by another instance; see GET /api/rooms"));
            }

            return new TurnResult(null, null);
        }

        foreach (var note in decision.Notes)
        {
            Log.Noted(logger, roomId, note);
        }

        if (decision.AnsweredCommand is { } answered && _waiters.TryRemove(answered, out var waiter))
        {
            waiter.TrySetResult(decision.Outcome!);
        }

        Task<ActionOutcome>? awaiting = null;
        if (decision.AwaitedCommand is { } awaited)
        {
            var source = new TaskCompletionSource<ActionOutcome>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters[awaited] = source;
            awaiting = source.Task;
        }

        if (decision.Events.Count > 0)
        {
            feed.Publish(decision.Events);
        }

        // Started in the decision's order, so the greeting leaves before the seat; none is awaited here.
        foreach (var command in decision.Commands)
        {
            Track(SendAsync(roomId, command));
        }

        return new TurnResult(decision, awaiting);
    }

    private void Track(Task sending)
    {
        if (!sending.IsCompleted)
        {
            var ticket = Interlocked.Increment(ref _nextTicket);
            _sending[ticket] = sending;
            _ = sending.ContinueWith(_ => _sending.TryRemove(ticket, out Task? _), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task SendAsync(string roomId, RoomCommand command)
    {
        CommandResult result;
        try
        {
            result = await callControl.SendAsync(command, _abandon.Token);
        }
        catch (Exception ex)
        {
            // The port reports failures as results; anything else is a bug, reported to the room as a failure.
            Log.SendFailed(logger, ex, command.Name, command.Leg);
            result = CommandResult.Failed(new CommandFailure(FailureKind.Internal, $"{command.Name} failed inside the server"));
        }

        await TurnAsync(roomId, new CommandCompleted(command, result), reserved: false, new TurnMarks(AnsweredCommand: command.Id));
    }

    private static string? LegOf(RoomInput input) => input switch
    {
        CallInitiated e => e.CallControlId,
        CallAnswered e => e.CallControlId,
        CallHungUp e => e.CallControlId,
        ParticipantJoined e => e.CallControlId,
        ParticipantLeft e => e.CallControlId,
        OwnerAction e => e.CallControlId,
        CommandCompleted e => e.Command.Leg,
        _ => null,
    };

    private static partial class Log
    {
        [LoggerMessage(1400, LogLevel.Information, "Room {Room}: {Note}", EventName = "RoomNote")]
        public static partial void Noted(ILogger logger, string room, string note);

        [LoggerMessage(1401, LogLevel.Error, "Room {Room}: deciding {Input} (call_control_id {CallControlId}) failed", EventName = "TurnFailed")]
        public static partial void TurnFailed(ILogger logger, Exception exception, string room, string input, string? callControlId);

        [LoggerMessage(1402, LogLevel.Error, "{Command} for {CallControlId} could not be sent", EventName = "SendFailed")]
        public static partial void SendFailed(ILogger logger, Exception exception, string command, string? callControlId);

        [LoggerMessage(1403, LogLevel.Information, "Room {Room}: {Input} (call_control_id {CallControlId}) was decided before; not again", EventName = "AlreadyDecided")]
        public static partial void AlreadyDecided(ILogger logger, string room, string input, string? callControlId);
    }
}
