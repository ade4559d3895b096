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

    /// <summary>The PIN a member enters (4 to 12 digits); null lets members in without one.</summary>
    public string? Pin { get; init; }

    /// <summary>The PIN that makes a caller a moderator; null when the room has no moderator PIN.</summary>
    public string? ModeratorPin { get; init; }

    /// <summary>The most participants the room takes (2 to 800); null leaves Telnyx's own limit.</summary>
    public int? MaxParticipants { get; init; }

    /// <summary>Telnyx's beep_enabled: always, never, on_enter or on_exit; null sends none.</summary>
    public string? Beep { get; init; }

    /// <summary>Members join muted; moderators never do.</summary>
    public bool JoinMuted { get; init; }

    /// <summary>Members wait, hearing the hold audio, until a moderator joins.</summary>
    public bool WaitForModerator { get; init; }

    /// <summary>The conference ends when the last moderator leaves.</summary>
    public bool EndWhenModeratorLeaves { get; init; }

    public string PinPrompt { get; init; } = "Please enter the conference PIN, then press pound.";

    public string PinRetryPrompt { get; init; } = "That PIN is not right. Please enter the conference PIN, then press pound.";

    public string PinGoodbye { get; init; } = "That PIN is not right. Goodbye.";

    public string FullNotice { get; init; } = "This conference is full. Goodbye.";

    /// <summary>A caller must enter a PIN before they are let in.</summary>
    public bool AsksForPin => Pin is not null || ModeratorPin is not null;
}
