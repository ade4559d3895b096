using ConferenceDemo.Tests.Infrastructure;
using ConferenceDemo.Webhooks;

namespace ConferenceDemo.Tests.Webhooks;

public sealed class WebhookPublicKeyTests
{
    private static readonly WebhookSigner Signer = WebhookSigner.Generate();

    [Fact]
    public void TryParse_Base64Of32Bytes_GivesTheKey()
    {
        Assert.True(WebhookPublicKey.TryParse(Signer.PublicKeyBase64, out var key, out _));
        Assert.Equal(Signer.PublicKey, key);
    }

    [Fact]
    public void TryParse_SurroundingWhitespace_IsIgnored() =>
        Assert.True(WebhookPublicKey.TryParse($"  {Signer.PublicKeyBase64}\n", out _, out _));

    public static TheoryData<string, string> WrongKeys()
    {
        var spki = Convert.ToBase64String([.. Convert.FromHexString("302a300506032b6570032100"), .. Signer.PublicKey]);
        return new TheoryData<string, string>
        {
            { $"-----BEGIN PUBLIC KEY-----\n{spki}\n-----END PUBLIC KEY-----", "PEM" },
            { spki, "SPKI" },
            { Convert.ToHexString(Signer.PublicKey), "hex" },
            { "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_" },
            { Convert.ToBase64String(new byte[31]), "decodes to 31 bytes" },
            { Convert.ToBase64String(new byte[64]), "decodes to 64 bytes" },
            { "not base64 !!", "not base64" },
        };
    }

    [Theory]
    [MemberData(nameof(WrongKeys))]
    public void TryParse_CommonMistake_IsRejectedSayingWhatItLooksLike(string value, string said)
    {
        Assert.False(WebhookPublicKey.TryParse(value, out _, out var problem));
        Assert.Contains(said, problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Signer.PublicKeyBase64, problem, StringComparison.Ordinal);
    }
}
