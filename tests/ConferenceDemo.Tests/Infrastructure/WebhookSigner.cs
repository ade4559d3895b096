using System.Text;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Crypto.Signers;
using Org.BouncyCastle.Security;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>Signs bodies as Telnyx does (Ed25519 over "timestamp|body") with a key pair made for the test.</summary>
public sealed class WebhookSigner
{
    private readonly Ed25519PrivateKeyParameters _privateKey;

    private WebhookSigner(Ed25519PrivateKeyParameters privateKey) => _privateKey = privateKey;

    public static WebhookSigner Generate() => new(new Ed25519PrivateKeyParameters(new SecureRandom()));

    public static WebhookSigner FromSeed(byte[] seed) => new(new Ed25519PrivateKeyParameters(seed, 0));

    public byte[] PublicKey => _privateKey.GeneratePublicKey().GetEncoded();

    public string PublicKeyBase64 => Convert.ToBase64String(PublicKey);

    public string Sign(string timestamp, byte[] body)
    {
        var message = Encoding.ASCII.GetBytes(timestamp + "|").Concat(body).ToArray();
        var signer = new Ed25519Signer();
        signer.Init(true, _privateKey);
        signer.BlockUpdate(message, 0, message.Length);
        return Convert.ToBase64String(signer.GenerateSignature());
    }
}
