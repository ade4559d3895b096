using System.Text.Json;

namespace ConferenceDemo.Rooms;

/// <summary>
/// The client_state this server sets on its commands (Telnyx requires base64 and echoes it on later webhooks of the
/// leg; a create's state is used for every conference webhook): the room, and why the leg was touched. It is how
/// an event finds its room, and how call.answered tells a leg this server dialed from an inbound caller.
/// </summary>
public sealed record ClientStateTag(string Room, string Purpose)
{
    /// <summary>A leg this server dialed (pull).</summary>
    public const string DialedPurpose = "dialed";

    /// <summary>A leg this server dialed to be a moderator.</summary>
    public const string DialedModeratorPurpose = "dialed-moderator";

    /// <summary>An inbound caller this server answered.</summary>
    public const string CallerPurpose = "caller";

    /// <summary>A leg this server put in the conference (create or join).</summary>
    public const string SeatPurpose = "seat";

    public bool IsDialed => Purpose is DialedPurpose or DialedModeratorPurpose;

    public ParticipantRole DialedAs => Purpose == DialedModeratorPurpose ? ParticipantRole.Moderator : ParticipantRole.Member;

    public string Encode() => Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new Wire(Room, Purpose), ClientStateJson.Default.Wire));

    public static string Dialed(string room, ParticipantRole role = ParticipantRole.Member) =>
        new ClientStateTag(room, role == ParticipantRole.Moderator ? DialedModeratorPurpose : DialedPurpose).Encode();

    public static string Caller(string room) => new ClientStateTag(room, CallerPurpose).Encode();

    public static string Seat(string room) => new ClientStateTag(room, SeatPurpose).Encode();

    /// <summary>The tag in a webhook's client_state, or null when it is absent or not one of ours.</summary>
    public static ClientStateTag? TryDecode(string? clientState)
    {
        if (string.IsNullOrEmpty(clientState) || clientState.Length > 1024)
        {
            return null;
        }

        Span<byte> bytes = stackalloc byte[768];
        if (!Convert.TryFromBase64String(clientState, bytes, out var length))
        {
            return null;
        }

        try
        {
            var wire = JsonSerializer.Deserialize(bytes[..length], ClientStateJson.Default.Wire);
            return wire is { R: { Length: > 0 } room, P: { Length: > 0 } purpose } ? new ClientStateTag(room, purpose) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Short keys keep the echoed state small.</summary>
    internal sealed record Wire(string? R, string? P);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(ClientStateTag.Wire))]
internal sealed partial class ClientStateJson : System.Text.Json.Serialization.JsonSerializerContext;
