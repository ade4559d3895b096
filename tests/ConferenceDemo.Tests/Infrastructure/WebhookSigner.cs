using System.Text;
using NSec.Cryptography;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>Signs bodies as Telnyx does (Ed25519 over "timestamp|body") with a key pair made for the test.</summary>
public sealed class WebhookSigner
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    private readonly Key _privateKey;

    private WebhookSigner(Key privateKey) => _privateKey = privateKey;

    public static WebhookSigner Generate() => new(Key.Create(Algorithm));

    /// <summary>A signer from a 32-byte Ed25519 seed (RFC 8032's private key).</summary>
    public static WebhookSigner FromSeed(byte[] seed) => new(Key.Import(Algorithm, seed, KeyBlobFormat.RawPrivateKey));

    public byte[] PublicKey => _privateKey.PublicKey.Export(KeyBlobFormat.RawPublicKey);

    public string PublicKeyBase64 => Convert.ToBase64String(PublicKey);

    public string Sign(string timestamp, byte[] body)
    {
        var message = Encoding.ASCII.GetBytes(timestamp + "|").Concat(body).ToArray();
        return Convert.ToBase64String(Algorithm.Sign(_privateKey, message));
    }
}
