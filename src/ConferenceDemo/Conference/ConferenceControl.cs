using ConferenceDemo.Telnyx;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Conference;

/// <summary>
/// What the conference's owner can do: list, mute, unmute, hold, unhold, record a participant's leg, and pull a
/// number into the room. Each action waits for Telnyx and says what came of it; none claims a command that failed.
/// </summary>
public sealed class ConferenceControl(
    ConferenceRooms rooms,
    TelnyxClient telnyx,
    IOptions<ConferenceOptions> conferenceOptions,
    IOptions<TelnyxOptions> telnyxOptions)
{
    private ConferenceOptions Settings => conferenceOptions.Value;

    /// <summary>The conference and its participants, or null when there is no active conference.</summary>
    public async Task<ConferenceSnapshot?> ListAsync(CancellationToken ct = default)
    {
        var room = await rooms.SnapshotAsync(rooms.DefaultRoom, ct);
        return room.IsActive ? new ConferenceSnapshot(room.ConferenceId!, room.Participants) : null;
    }

    public Task<ControlResult> MuteAsync(string callControlId, CancellationToken ct = default) =>
        OnParticipantAsync(callControlId, (conference, p) => telnyx.MuteAsync(conference, [p.CallControlId], ct), p => p.Muted = true, ct);

    public Task<ControlResult> UnmuteAsync(string callControlId, CancellationToken ct = default) =>
        OnParticipantAsync(callControlId, (conference, p) => telnyx.UnmuteAsync(conference, [p.CallControlId], ct), p => p.Muted = false, ct);

    public Task<ControlResult> HoldAsync(string callControlId, CancellationToken ct = default) =>
        OnParticipantAsync(callControlId, (conference, p) => telnyx.HoldAsync(conference, [p.CallControlId], Settings.WaitingUrl, ct),
            p => p.OnHold = true, ct);

    public Task<ControlResult> UnholdAsync(string callControlId, CancellationToken ct = default) =>
        OnParticipantAsync(callControlId, (conference, p) => telnyx.UnholdAsync(conference, [p.CallControlId], ct), p => p.OnHold = false, ct);

    public Task<ControlResult> StartRecordingAsync(string callControlId, CancellationToken ct = default) =>
        OnParticipantAsync(callControlId,
            (_, p) => telnyx.StartRecordingAsync(p.CallControlId, Settings.RecordingFormat, Settings.RecordingChannels, TelnyxClient.NewCommandId(), ct),
            p => p.Recording = true, ct);

    public Task<ControlResult> StopRecordingAsync(string callControlId, CancellationToken ct = default) =>
        OnParticipantAsync(callControlId, (_, p) => telnyx.StopRecordingAsync(p.CallControlId, TelnyxClient.NewCommandId(), ct), p => p.Recording = false, ct);

    /// <summary>
    /// Dials <paramref name="number"/> from TELNYX_PHONE_NUMBER. The leg is marked as ours, so when it answers it is
    /// recorded with the dialed number and joins (or opens) the conference like any caller.
    /// </summary>
    public async Task<ControlResult> PullAsync(string number, CancellationToken ct = default)
    {
        if (!PhoneNumbers.IsE164(number))
        {
            return new ControlResult(ControlOutcome.InvalidNumber, $"'{number}' is not an E.164 number such as +15551234567");
        }

        var allowed = Settings.AllowedPrefixes;
        if (allowed.Count > 0 && !allowed.Any(prefix => number.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return new ControlResult(ControlOutcome.NotAllowed,
                $"{number} is outside the allowed prefixes ({string.Join(", ", allowed)}); see PULL_ALLOWED_PREFIXES");
        }

        var settings = telnyxOptions.Value;
        if (string.IsNullOrEmpty(settings.PhoneNumber) || string.IsNullOrEmpty(settings.ConnectionId))
        {
            return new ControlResult(ControlOutcome.NotConfigured,
                "pull needs TELNYX_PHONE_NUMBER (the caller id) and TELNYX_CONNECTION_ID (the Call Control application)");
        }

        try
        {
            var leg = await telnyx.DialAsync(number, settings.PhoneNumber, settings.ConnectionId, ClientStates.Dialed, TelnyxClient.NewCommandId(), ct);
            return ControlResult.Done with { CallControlId = leg };
        }
        catch (TelnyxCommandException ex)
        {
            return ControlResult.From(ex);
        }
    }

    private Task<ControlResult> OnParticipantAsync(string callControlId, Func<string, Participant, Task> command,
        Action<Participant> onSuccess, CancellationToken ct) =>
        rooms.WithRoomAsync(rooms.DefaultRoom, async room =>
        {
            if (!room.IsActive)
            {
                return ControlResult.NoConference;
            }

            var participant = room.Find(callControlId);
            if (participant is null)
            {
                return new ControlResult(ControlOutcome.UnknownParticipant, $"no participant {callControlId} in conference {room.ConferenceId}");
            }

            try
            {
                await command(room.ConferenceId!, participant);
            }
            catch (TelnyxCommandException ex)
            {
                if (ex.CallHasEnded)
                {
                    room.Remove(callControlId);
                }

                return ControlResult.From(ex);
            }

            onSuccess(participant);
            if (participant.CallControlId == room.AutoHeldCallControlId && !participant.OnHold)
            {
                room.AutoHeldCallControlId = null; // the owner released the one we held
            }

            return ControlResult.Done;
        }, ct);
}
