using System.Text;

namespace ConferenceDemo.Conference;

/// <summary>
/// The client_state values this server sets (Telnyx requires base64) and reads back. A leg we dialed carries
/// <see cref="Dialed"/> from the dial command on, which is how call.answered tells it from an inbound caller.
/// </summary>
public static class ClientStates
{
    public static readonly string Dialed = Encode("conference-demo:dialed");

    /// <summary>Set on create, as the demo does ("conf-created").</summary>
    public static readonly string ConferenceCreated = Encode("conf-created");

    /// <summary>Set on join, as the demo does ("agent-in").</summary>
    public static readonly string JoinedByServer = Encode("agent-in");

    public static bool IsDialed(string? clientState) => string.Equals(clientState, Dialed, StringComparison.Ordinal);

    private static string Encode(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
