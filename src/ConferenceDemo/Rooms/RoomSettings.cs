namespace ConferenceDemo.Rooms;

/// <summary>What a room sounds like and who may be dialed into it: everything a decision needs besides the room.</summary>
public sealed record RoomSettings
{
    /// <summary>The room id, which is also the Telnyx conference name.</summary>
    public required string Id { get; init; }

    public string? Name { get; init; }

    /// <summary>The numbers that reach this room.</summary>
    public IReadOnlyList<string> DialIn { get; init; } = [];

    public string Voice { get; init; } = "female";

    public string Language { get; init; } = "en-GB";

    /// <summary>Spoken to the caller who opens the conference.</summary>
    public string FirstCallerGreeting { get; init; } = "Welcome to this conference demo. Please wait for other participants to join. ";

    /// <summary>Spoken to every later caller.</summary>
    public string LaterCallerGreeting { get; init; } = "Welcome to this conference demo. We are now putting you on the conference room. ";

    /// <summary>Hold music (audio_url of hold); null leaves Telnyx's default.</summary>
    public string? HoldAudioUrl { get; init; }

    public string RecordingFormat { get; init; } = "mp3";

    public string RecordingChannels { get; init; } = "dual";

    /// <summary>E.164 prefixes a pull may dial; empty allows every number.</summary>
    public IReadOnlyList<string> PullAllowedPrefixes { get; init; } = [];

    /// <summary>The caller id of a pull (TELNYX_PHONE_NUMBER).</summary>
    public string? CallerNumber { get; init; }

    /// <summary>The Call Control application a pull dials through (TELNYX_CONNECTION_ID).</summary>
    public string? ConnectionId { get; init; }
}
