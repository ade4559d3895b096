using System.Text;
using NSec.Cryptography;

namespace ConferenceDemo.Simulator;

/// <summary>
/// The simulator's Ed25519 key pair, made at start. It signs webhooks as Telnyx does (the timestamp's bytes, "|",
/// then the body), and in simulator mode its public key is the one the server's webhook check trusts.
/// </summary>
public sealed class SimulatorSigner : IDisposable
{
    private static readonly SignatureAlgorithm Ed25519 = SignatureAlgorithm.Ed25519;
    private readonly Key _key = Key.Create(Ed25519, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.None });

    /// <summary>Standard base64 of the raw 32-byte public key: the shape TELNYX_PUBLIC_KEY has.</summary>
    public string PublicKeyBase64 => Convert.ToBase64String(_key.PublicKey.Export(KeyBlobFormat.RawPublicKey));

    /// <summary>The telnyx-signature-ed25519 header for a body sent with this telnyx-timestamp.</summary>
    public string Sign(string timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.ASCII.GetBytes(timestamp + "|");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToBase64String(Ed25519.Sign(_key, message));
    }

    public void Dispose() => _key.Dispose();
}
