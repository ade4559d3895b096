using System.Globalization;
using System.Text;
using NSec.Cryptography;

namespace ConferenceDemo.Bench;

/// <summary>A webhook as Telnyx would send it: body bytes and the two signature headers.</summary>
internal sealed record SignedRequest(byte[] Body, string Timestamp, string Signature);

/// <summary>
/// Webhook bodies made from the test fixtures (real Telnyx payload shapes), each with a fresh data.id, signed with a
/// key made for this run.
/// </summary>
internal sealed class SignedEvents
{
    private readonly Key _key = Key.Create(SignatureAlgorithm.Ed25519);
    private readonly Dictionary<string, string> _templates = [];

    public SignedEvents(string fixtures)
    {
        foreach (var file in Directory.GetFiles(fixtures, "*.json"))
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!;
            node["data"]!["id"] = "__ID__";
            var payload = node["data"]!["payload"]!.AsObject();
            payload["call_control_id"] = "__CCID__";
            if (payload.ContainsKey("conference_id"))
            {
                payload["conference_id"] = "__CONF__";
            }

            if (payload.ContainsKey("from"))
            {
                payload["from"] = "__FROM__";
            }

            if (payload.ContainsKey("client_state"))
            {
                payload.Remove("client_state");
            }

            _templates[Path.GetFileNameWithoutExtension(file)] = node.ToJsonString();
        }
    }

    public string PublicKeyBase64 => Convert.ToBase64String(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    public static string CallId(int n) => $"v3:bench-call-{n:D7}";

    public static string Number(int n) => $"+1555{n % 10_000_000:D7}";

    public SignedRequest Make(string eventType, int call, string conferenceId = "conf-bench")
    {
        var body = _templates[eventType]
            .Replace("__ID__", Guid.NewGuid().ToString(), StringComparison.Ordinal)
            .Replace("__CCID__", CallId(call), StringComparison.Ordinal)
            .Replace("__CONF__", conferenceId, StringComparison.Ordinal)
            .Replace("__FROM__", Number(call), StringComparison.Ordinal);
        return Sign(Encoding.UTF8.GetBytes(body));
    }

    public SignedRequest Sign(byte[] body)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var message = Encoding.ASCII.GetBytes(timestamp + "|").Concat(body).ToArray();
        return new SignedRequest(body, timestamp, Convert.ToBase64String(SignatureAlgorithm.Ed25519.Sign(_key, message)));
    }

    /// <summary>Many requests at once, signed on every core (signing is the slow part of making them).</summary>
    public SignedRequest[] MakeMany(int count, Func<int, SignedRequest> make)
    {
        var requests = new SignedRequest[count];
        Parallel.For(0, count, i => requests[i] = make(i));
        return requests;
    }
}
