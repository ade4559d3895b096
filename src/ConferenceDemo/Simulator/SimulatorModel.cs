using System.Text.Json.Nodes;

namespace ConferenceDemo.Simulator;

/// <summary>An answer of the simulated REST API: a status and Telnyx's JSON (a data envelope, or errors[]).</summary>
public sealed record SimulatorReply(int Status, JsonNode Body)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    public static SimulatorReply Data(JsonNode data) => new(200, new JsonObject { ["data"] = data });

    public static SimulatorReply Ok() => Data(new JsonObject { ["result"] = "ok" });

    public static SimulatorReply Error(int status, string code, string title, string detail, string? pointer = null, string? parameter = null)
    {
        var error = new JsonObject { ["code"] = code, ["title"] = title, ["detail"] = detail };
        if (pointer is not null || parameter is not null)
        {
            var source = new JsonObject();
            if (pointer is not null)
            {
                source["pointer"] = pointer;
            }

            if (parameter is not null)
            {
                source["parameter"] = parameter;
            }

            error["source"] = source;
        }

        error["meta"] = new JsonObject { ["url"] = $"https://developers.telnyx.com/docs/overview/errors/{code}" };
        return new SimulatorReply(status, new JsonObject { ["errors"] = new JsonArray(error) });
    }

    public static SimulatorReply From(SchemaViolation violation) =>
        Error(422, violation.Code, violation.Title, violation.Detail, violation.Pointer, violation.Parameter);

    public static SimulatorReply CallEnded() =>
        Error(422, "90018", "Call has already ended", "This call is no longer active and can't receive commands.");

    public static SimulatorReply InvalidCallControlId(string pointer = "/call_control_id") =>
        Error(422, "90015", "Invalid Call Control ID", "The call_control_id provided was not valid.", pointer);

    public static SimulatorReply NotAnswered() =>
        Error(422, "90034", "Call not answered yet", "This call has not been answered yet and can't receive this command.");

    public static SimulatorReply ConferenceNotFound() =>
        Error(404, "90058", "Invalid conference_id", "The conference does not exist.");

    public static SimulatorReply ConferenceEnded() =>
        Error(422, "90019", "Conference has already ended", "This conference is no longer active and can't receive commands.");
}

/// <summary>What a simulated leg is doing, as the simulator API reports it.</summary>
public enum LegState
{
    Ringing,
    Answered,
    Ended,
}

/// <summary>One call leg on the simulated Telnyx side.</summary>
internal sealed class SimLeg
{
    public required string CallControlId { get; init; }
    public string CallLegId { get; } = Guid.NewGuid().ToString();
    public string CallSessionId { get; } = Guid.NewGuid().ToString();
    public required string ConnectionId { get; init; }
    public required string From { get; init; }
    public required string To { get; init; }
    public required string Direction { get; init; }
    public required DateTimeOffset StartTime { get; init; }
    public LegState State { get; set; } = LegState.Ringing;
    public string? ClientState { get; set; }
    public SimConference? Conference { get; set; }
    public SimParticipant? Participant { get; set; }

    // What the leg hears: speech first, then a playback, then hold music or a not-yet-started conference's music.
    public string? Speech { get; set; }
    public long SpeechToken { get; set; }
    public Queue<string> SpeechQueue { get; } = new();
    public string? Playback { get; set; }
    public long PlaybackToken { get; set; }
    public SimGather? Gather { get; set; }
    public SimRecording? Recording { get; set; }

    /// <summary>A conference named in the dial's conference_config, joined when the leg answers.</summary>
    public JsonObject? ConferenceConfig { get; set; }
}

internal sealed class SimParticipant
{
    public string Id { get; } = Guid.NewGuid().ToString();
    public required SimLeg Leg { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public bool Muted { get; set; }
    public bool OnHold { get; set; }
    public string? HoldAudioUrl { get; set; }
    public bool EndConferenceOnExit { get; set; }
    public bool SoftEndConferenceOnExit { get; set; }
    public string SupervisorRole { get; set; } = "none";
    public List<string> WhisperCallControlIds { get; set; } = [];
}

internal sealed class SimConference
{
    public string Id { get; } = Guid.NewGuid().ToString();
    public required string Name { get; init; }
    public required string ConnectionId { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public required SimLeg Creator { get; init; }
    public string? ClientState { get; set; }
    public string Status { get; set; } = "in_progress";
    public bool Started { get; set; }
    public int MaxParticipants { get; init; } = 250;
    public string BeepEnabled { get; init; } = "never";
    public string? HoldAudioUrl { get; set; }
    public string? EndReason { get; set; }
    public SimLeg? EndedBy { get; set; }
    public List<SimParticipant> Participants { get; } = [];
    public SimRecording? Recording { get; set; }
    public string? Playing { get; set; }
    public HashSet<string> PlayingTo { get; } = new(StringComparer.Ordinal);
    public long PlayToken { get; set; }
    public string? Speech { get; set; }
    public HashSet<string> SpeechTo { get; } = new(StringComparer.Ordinal);
    public long SpeechToken { get; set; }

    /// <summary>Every beep played, as "on_enter:{call_control_id}" or "on_exit:{call_control_id}".</summary>
    public List<string> Beeps { get; } = [];

    public bool IsActive => Status != "completed";

    public DateTimeOffset ExpiresAt => CreatedAt + TimeSpan.FromHours(4);
}

internal sealed class SimGather
{
    public required string Prompt { get; init; }
    public string? InvalidPrompt { get; init; }
    public int MinimumDigits { get; init; } = 1;
    public int MaximumDigits { get; init; } = 128;
    public string TerminatingDigit { get; init; } = "#";
    public string ValidDigits { get; init; } = "0123456789#*";
    public int TimeoutMillis { get; init; } = 60_000;
    public int InterDigitTimeoutMillis { get; init; } = 5_000;
    public int TriesLeft { get; set; } = 3;
    public System.Text.StringBuilder Digits { get; } = new();
    public long Token { get; set; }
}

internal sealed class SimRecording
{
    public string Id { get; } = Guid.NewGuid().ToString();
    public required DateTimeOffset StartedAt { get; init; }
    public required string Format { get; init; }
    public required string Channels { get; init; }
    public bool Paused { get; set; }
    public string? ClientState { get; set; }
}

/// <summary>A finished recording, for GET /recordings/{id}.</summary>
internal sealed record SavedRecording(string Id, SimLeg Leg, string? ConferenceId, string Source, string Format, string Channels,
    DateTimeOffset StartedAt, DateTimeOffset EndedAt);
