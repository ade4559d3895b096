using ConferenceDemo.Telnyx;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// The rooms this server runs and their settings: the default room (Conference:Name, reached by TELNYX_PHONE_NUMBER
/// and by every number no other room claims, no PIN), the rooms of the settings (Rooms__{id}__…), and those created
/// through the API (the catalog).
/// </summary>
public sealed class RoomDirectory
{
    private readonly IRoomCatalog _catalog;
    private readonly RoomSettings _default;
    private readonly Dictionary<string, RoomSettings> _configured;

    public RoomDirectory(IOptions<ConferenceOptions> conference, IOptions<TelnyxOptions> telnyx, IOptions<Dictionary<string, RoomOptions>> rooms,
        IRoomCatalog catalog)
    {
        _catalog = catalog;
        var options = conference.Value;
        var phone = telnyx.Value.PhoneNumber;
        _default = new RoomSettings
        {
            Id = options.Name,
            Name = options.Name,
            DialIn = string.IsNullOrEmpty(phone) ? [] : [phone],
            Voice = options.Voice,
            Language = options.Language,
            FirstCallerGreeting = options.FirstCallerGreeting,
            LaterCallerGreeting = options.LaterCallerGreeting,
            HoldAudioUrl = string.IsNullOrWhiteSpace(options.WaitingUrl) ? null : options.WaitingUrl,
            RecordingFormat = options.RecordingFormat,
            RecordingChannels = options.RecordingChannels,
            PullAllowedPrefixes = options.AllowedPrefixes,
            CallerNumber = phone,
            ConnectionId = telnyx.Value.ConnectionId,
        };
        _configured = rooms.Value.ToDictionary(r => r.Key, r => From(r.Key, r.Value), StringComparer.Ordinal);
    }

    public string DefaultRoomId => _default.Id;

    /// <summary>The default room and the settings' rooms cannot be changed through the API.</summary>
    public bool IsConfigured(string roomId) => roomId == _default.Id || _configured.ContainsKey(roomId);

    /// <summary>The settings of a room, or null for a room this server does not run.</summary>
    public async ValueTask<RoomSettings?> FindAsync(string roomId, CancellationToken ct = default) =>
        roomId == _default.Id ? _default : _configured.GetValueOrDefault(roomId) ?? FromCatalog(await _catalog.GetAsync(roomId, ct));

    /// <summary>Every room: the default first, then the others by id.</summary>
    public async ValueTask<IReadOnlyList<RoomSettings>> ListAsync(CancellationToken ct = default) =>
    [
        _default,
        .. _configured.Values.Concat((await _catalog.ListAsync(ct)).Select(r => FromCatalog(r)!)).OrderBy(r => r.Id, StringComparer.Ordinal),
    ];

    /// <summary>The room a call to <paramref name="number"/> goes to: the room that claims it, else the default room.</summary>
    public async ValueTask<string> RoomForNumberAsync(string? number, CancellationToken ct = default)
    {
        if (string.IsNullOrEmpty(number))
        {
            return _default.Id;
        }

        foreach (var room in _configured.Values)
        {
            if (room.DialIn.Contains(number, StringComparer.Ordinal))
            {
                return room.Id;
            }
        }

        return await _catalog.RoomOfNumberAsync(number, ct) ?? _default.Id;
    }

    /// <summary>The room whose dial-in numbers include one of <paramref name="numbers"/>, other than <paramref name="except"/>.</summary>
    public async ValueTask<string?> ClaimantAsync(IReadOnlyList<string> numbers, string except, CancellationToken ct = default)
    {
        foreach (var room in (await ListAsync(ct)).Where(r => r.Id != except))
        {
            if (room.DialIn.Intersect(numbers, StringComparer.Ordinal).Any())
            {
                return room.Id;
            }
        }

        return null;
    }

    /// <summary>A room's settings from its options, the Conference section filling in what the room leaves unset.</summary>
    public RoomSettings From(string id, RoomOptions room)
    {
        ArgumentNullException.ThrowIfNull(room);
        var dialIn = room.DialInNumbers;
        return _default with
        {
            Id = id,
            Name = string.IsNullOrWhiteSpace(room.Name) ? id : room.Name,
            DialIn = dialIn,
            Pin = Blank(room.Pin),
            ModeratorPin = Blank(room.ModeratorPin),
            MaxParticipants = room.MaxParticipants,
            Beep = Blank(room.Beep),
            JoinMuted = room.JoinMuted,
            WaitForModerator = room.WaitForModerator,
            EndWhenModeratorLeaves = room.EndWhenModeratorLeaves,
            AnnounceRecording = room.AnnounceRecording,
            MaxDurationMinutes = room.MaxDurationMinutes,
            HoldAudioUrl = Blank(room.HoldAudioUrl) ?? _default.HoldAudioUrl,
            FirstCallerGreeting = Blank(room.FirstCallerGreeting) ?? _default.FirstCallerGreeting,
            LaterCallerGreeting = Blank(room.LaterCallerGreeting) ?? _default.LaterCallerGreeting,
            Voice = Blank(room.Voice) ?? _default.Voice,
            Language = Blank(room.Language) ?? _default.Language,
            PullAllowedPrefixes = room.PullAllowedPrefixes is null ? _default.PullAllowedPrefixes : RoomOptions.Split(room.PullAllowedPrefixes),
            CallerNumber = dialIn.Count > 0 ? dialIn[0] : _default.CallerNumber,
        };
    }

    private RoomSettings? FromCatalog(CatalogRoom? room) => room is null ? null : From(room.Id, room.Options);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
