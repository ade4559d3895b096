using ConferenceDemo.Conference;
using ConferenceDemo.Telnyx;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// The rooms this server runs and their settings. Today one: the default room, named by Conference:Name, reached by
/// every number; its settings come from the Conference and Telnyx sections.
/// </summary>
public sealed class RoomDirectory(IOptions<ConferenceOptions> conference, IOptions<TelnyxOptions> telnyx)
{
    private RoomSettings? _default;

    public string DefaultRoomId => conference.Value.Name;

    public IReadOnlyList<RoomSettings> All => [For(DefaultRoomId)!];

    /// <summary>The settings of a room, or null for a room this server does not run.</summary>
    public RoomSettings? For(string roomId)
    {
        if (!string.Equals(roomId, DefaultRoomId, StringComparison.Ordinal))
        {
            return null;
        }

        var options = conference.Value;
        return _default ??= new RoomSettings
        {
            Id = options.Name,
            Name = options.Name,
            DialIn = string.IsNullOrEmpty(telnyx.Value.PhoneNumber) ? [] : [telnyx.Value.PhoneNumber],
            Voice = options.Voice,
            Language = options.Language,
            FirstCallerGreeting = options.FirstCallerGreeting,
            LaterCallerGreeting = options.LaterCallerGreeting,
            HoldAudioUrl = string.IsNullOrWhiteSpace(options.WaitingUrl) ? null : options.WaitingUrl,
            RecordingFormat = options.RecordingFormat,
            RecordingChannels = options.RecordingChannels,
            PullAllowedPrefixes = options.AllowedPrefixes,
            CallerNumber = telnyx.Value.PhoneNumber,
            ConnectionId = telnyx.Value.ConnectionId,
        };
    }

    /// <summary>The room a call to <paramref name="number"/> goes to: the room that claims it, else the default room.</summary>
    public string RoomForNumber(string? number) => DefaultRoomId;
}
