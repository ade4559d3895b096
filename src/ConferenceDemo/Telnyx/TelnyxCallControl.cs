using System.Collections.Immutable;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Telnyx;

/// <summary>The rooms' call-control port on the typed Telnyx client: one room command, one REST command, its result.</summary>
public sealed class TelnyxCallControl(TelnyxClient telnyx) : ICallControl
{
    public async Task<CommandResult> SendAsync(RoomCommand command, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(command);
        try
        {
            return command switch
            {
                Answer c => await Ok(telnyx.AnswerAsync(c.CallControlId, c.ClientState, c.Id, ct)),
                Hangup c => await Ok(telnyx.HangupAsync(c.CallControlId, c.Id, ct)),
                Speak c => await Ok(telnyx.SpeakAsync(c.CallControlId, c.Text, c.Voice, c.Language, c.Id, ct)),
                CreateConference c => new CommandResult
                {
                    ConferenceId = await telnyx.CreateConferenceAsync(new CreateConferenceRequest(c.CallControlId, c.ConferenceName, c.ClientState, c.Id)
                    {
                        BeepEnabled = c.Beep,
                        MaxParticipants = c.MaxParticipants,
                        StartConferenceOnCreate = c.StartOnCreate,
                        HoldAudioUrl = c.HoldAudioUrl,
                    }, ct),
                },
                FindConference c => new CommandResult { ConferenceId = await telnyx.FindActiveConferenceAsync(c.ConferenceName, ct) },
                ListParticipants c => new CommandResult { Roster = Roster(await telnyx.ListParticipantsAsync(c.ConferenceId, ct)) },
                JoinConference c => await Ok(telnyx.JoinConferenceAsync(c.ConferenceId, new JoinConferenceRequest(c.CallControlId, c.ClientState, c.Id)
                {
                    BeepEnabled = c.Beep,
                    StartConferenceOnEnter = c.StartOnEnter,
                    EndConferenceOnExit = c.EndOnExit,
                    Mute = c.Mute,
                }, ct)),
                GatherUsingSpeak c => await Ok(telnyx.GatherUsingSpeakAsync(c.CallControlId, c.Text, c.Voice, c.Language, c.MaximumDigits, c.Id, ct)),
                EndConference c => await Ok(telnyx.EndConferenceAsync(c.ConferenceId, c.Id, ct)),
                ParticipantsCommand c => await Ok(c.Action switch
                {
                    ParticipantsAction.Mute => telnyx.MuteAsync(c.ConferenceId, c.CallControlIds, ct),
                    ParticipantsAction.Unmute => telnyx.UnmuteAsync(c.ConferenceId, c.CallControlIds, ct),
                    ParticipantsAction.Hold => telnyx.HoldAsync(c.ConferenceId, c.CallControlIds, c.AudioUrl, ct),
                    _ => telnyx.UnholdAsync(c.ConferenceId, c.CallControlIds, ct),
                }),
                RecordStart c => await Ok(telnyx.StartRecordingAsync(c.CallControlId, c.Format, c.Channels, c.Id, ct)),
                RecordStop c => await Ok(telnyx.StopRecordingAsync(c.CallControlId, c.Id, ct)),
                Dial c => new CommandResult { CallControlId = await telnyx.DialAsync(c.To, c.From, c.ConnectionId, c.ClientState, c.Id, ct) },
                _ => throw new ArgumentException($"no Telnyx command for {command.GetType().Name}", nameof(command)),
            };
        }
        catch (TelnyxCommandException ex)
        {
            return CommandResult.Failed(Failure(ex));
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return CommandResult.Failed(new CommandFailure(FailureKind.TimedOut, $"{command.Name} was abandoned at shutdown"));
        }
    }

    /// <summary>A Telnyx failure in the rooms' terms.</summary>
    public static CommandFailure Failure(TelnyxCommandException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var kind = ex.Failure switch
        {
            TelnyxFailure.NotConfigured => FailureKind.NotConfigured,
            TelnyxFailure.TimedOut => FailureKind.TimedOut,
            TelnyxFailure.Unreachable => FailureKind.Unreachable,
            TelnyxFailure.InvalidResponse => FailureKind.InvalidResponse,
            TelnyxFailure.RateLimited => FailureKind.RateLimited,
            _ => FailureKind.Rejected,
        };
        return new CommandFailure(kind, ex.Reason, ex.StatusCode, [.. ex.Errors.Select(e => e.Code).OfType<string>()]);
    }

    private static async Task<CommandResult> Ok(Task command)
    {
        await command;
        return CommandResult.Ok;
    }

    private static ImmutableList<RosterEntry> Roster(IReadOnlyList<ConferenceParticipant> participants) =>
    [
        .. participants
            .Where(p => !string.IsNullOrEmpty(p.CallControlId))
            .Select(p => new RosterEntry(p.CallControlId!, p.Status == "joined", p.Muted, p.OnHold)),
    ];
}
