using System.Text.RegularExpressions;
using ConferenceDemo.Telnyx;

namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// One room as settings define it (Rooms__{id}__Name, …) or as PUT /api/rooms/{id} sends it. Unset values take the
/// Conference section's defaults (voice, language, greetings, hold music).
/// </summary>
public sealed class RoomOptions
{
    public const string SectionName = "Rooms";

    public string? Name { get; set; }

    /// <summary>Comma-separated E.164 numbers that reach the room.</summary>
    public string? DialIn { get; set; }

    public string? Pin { get; set; }

    public string? ModeratorPin { get; set; }

    public int? MaxParticipants { get; set; }

    /// <summary>always, never, on_enter or on_exit (sent as beep_enabled).</summary>
    public string? Beep { get; set; }

    public bool JoinMuted { get; set; }

    public bool WaitForModerator { get; set; }

    public bool EndWhenModeratorLeaves { get; set; }

    public string? HoldAudioUrl { get; set; }

    public string? FirstCallerGreeting { get; set; }

    public string? LaterCallerGreeting { get; set; }

    public string? Voice { get; set; }

    public string? Language { get; set; }

    /// <summary>Comma-separated E.164 prefixes a pull into this room may dial; unset takes PULL_ALLOWED_PREFIXES.</summary>
    public string? PullAllowedPrefixes { get; set; }

    public IReadOnlyList<string> DialInNumbers => Split(DialIn);

    public static IReadOnlyList<string> Split(string? list) =>
        (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}

/// <summary>The rules a room's settings must meet, shared by start-up (settings) and the API (PUT).</summary>
public static partial class RoomOptionsRules
{
    public const string Beeps = "always|never|on_enter|on_exit";

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    public static partial Regex RoomId();

    [GeneratedRegex("^[0-9]{4,12}$")]
    private static partial Regex PinPattern();

    /// <summary>Each problem as (field in snake_case, message).</summary>
    public static IEnumerable<(string Field, string Message)> Problems(string id, RoomOptions room)
    {
        ArgumentNullException.ThrowIfNull(room);
        if (!RoomId().IsMatch(id))
        {
            yield return ("id", $"a room id is 1 to 64 letters, digits, '-' or '_'; '{id}' is not");
        }

        foreach (var number in room.DialInNumbers)
        {
            if (!PhoneNumbers.IsE164(number))
            {
                yield return ("dial_in", $"'{number}' is not an E.164 number such as +15551234567");
            }
        }

        if (room.Pin is { } pin && !PinPattern().IsMatch(pin))
        {
            yield return ("pin", "a PIN is 4 to 12 digits");
        }

        if (room.ModeratorPin is { } moderatorPin && !PinPattern().IsMatch(moderatorPin))
        {
            yield return ("moderator_pin", "a moderator PIN is 4 to 12 digits");
        }

        if (room.Pin is not null && room.Pin == room.ModeratorPin)
        {
            yield return ("moderator_pin", "the moderator PIN must differ from the PIN");
        }

        if (room.MaxParticipants is < 2 or > 800)
        {
            yield return ("max_participants", $"max participants is from 2 to 800; it is {room.MaxParticipants}");
        }

        if (room.Beep is { } beep && beep is not ("always" or "never" or "on_enter" or "on_exit"))
        {
            yield return ("beep", $"beep is one of {Beeps}; it is '{beep}'");
        }

        if (room.HoldAudioUrl is { Length: > 0 } url
            && (!Uri.TryCreate(url, UriKind.Absolute, out var parsed) || parsed.Scheme is not ("http" or "https")))
        {
            yield return ("hold_audio_url", "the hold audio is an absolute http(s) URL of an mp3 or wav file");
        }

        foreach (var greeting in new[] { ("first_caller_greeting", room.FirstCallerGreeting), ("later_caller_greeting", room.LaterCallerGreeting) })
        {
            if (greeting.Item2 is { Length: > 3000 })
            {
                yield return (greeting.Item1, "a greeting is at most 3000 characters (Telnyx's speak limit)");
            }
        }

        foreach (var prefix in Split(room.PullAllowedPrefixes))
        {
            if (!prefix.StartsWith('+') || prefix.Length < 2 || !prefix[1..].All(char.IsAsciiDigit))
            {
                yield return ("pull_allowed_prefixes", $"'{prefix}' is not an E.164 prefix such as +1");
            }
        }
    }

    private static IReadOnlyList<string> Split(string? list) => RoomOptions.Split(list);
}
