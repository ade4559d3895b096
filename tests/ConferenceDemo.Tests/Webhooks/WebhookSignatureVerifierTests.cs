using System.Globalization;
using System.Text;
using System.Text.Json;
using ConferenceDemo.Tests.Infrastructure;
using ConferenceDemo.Webhooks;

namespace ConferenceDemo.Tests.Webhooks;

/// <summary>The pure verifier: one test per outcome, the tolerance's edges, the shared vector, byte-exact bodies.</summary>
public sealed class WebhookSignatureVerifierTests
{
    private const long Now = 1_800_000_000;
    private static readonly DateTimeOffset NowTime = DateTimeOffset.FromUnixTimeSeconds(Now);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"data":{"event_type":"call.initiated","payload":{"from":"+15550000001"}}}""");

    private readonly WebhookSigner _signer = WebhookSigner.Generate();

    private WebhookSignatureVerifier Verifier(int toleranceSeconds = 300) => new(_signer.PublicKey, TimeSpan.FromSeconds(toleranceSeconds));

    private static string Ts(long seconds) => seconds.ToString(CultureInfo.InvariantCulture);

    private WebhookVerificationOutcome VerifySignedAt(long signedAt, DateTimeOffset now) =>
        Verifier().Verify(_signer.Sign(Ts(signedAt), Body), Ts(signedAt), Body, now);

    [Fact]
    public void Verify_FreshlySigned_ReturnsValid() =>
        Assert.Equal(WebhookVerificationOutcome.Valid, VerifySignedAt(Now, NowTime));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Verify_NoSignatureHeader_ReturnsMissingSignature(string? signature) =>
        Assert.Equal(WebhookVerificationOutcome.MissingSignature, Verifier().Verify(signature, Ts(Now), Body, NowTime));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Verify_NoTimestampHeader_ReturnsMissingTimestamp(string? timestamp) =>
        Assert.Equal(WebhookVerificationOutcome.MissingTimestamp, Verifier().Verify(_signer.Sign(Ts(Now), Body), timestamp, Body, NowTime));

    [Fact]
    public void Verify_MissingSignatureIsCheckedBeforeTimestamp() =>
        Assert.Equal(WebhookVerificationOutcome.MissingSignature, Verifier().Verify(null, null, Body, NowTime));

    [Theory]
    [InlineData("18000000x0")]
    [InlineData("-1800000000")]
    [InlineData("+1800000000")]
    [InlineData(" 1800000000")]
    [InlineData("1800000000.5")]
    [InlineData("1.8e9")]
    [InlineData("99999999999999999999999")]
    [InlineData("１８００")] // full-width digits are not ASCII digits
    public void Verify_TimestampNotAllDigits_ReturnsMalformedTimestamp(string timestamp) =>
        Assert.Equal(WebhookVerificationOutcome.MalformedTimestamp, Verifier().Verify(_signer.Sign(timestamp, Body), timestamp, Body, NowTime));

    [Fact]
    public void Verify_TimestampExactly300SecondsOld_ReturnsValid() =>
        Assert.Equal(WebhookVerificationOutcome.Valid, VerifySignedAt(Now - 300, NowTime));

    [Fact]
    public void Verify_Timestamp301SecondsOld_ReturnsTimestampTooOld() =>
        Assert.Equal(WebhookVerificationOutcome.TimestampTooOld, VerifySignedAt(Now - 301, NowTime));

    [Fact]
    public void Verify_TimestampSixMinutesOld_ReturnsTimestampTooOld() =>
        Assert.Equal(WebhookVerificationOutcome.TimestampTooOld, VerifySignedAt(Now - 360, NowTime));

    [Fact]
    public void Verify_TimestampExactly300SecondsAhead_ReturnsValid() =>
        Assert.Equal(WebhookVerificationOutcome.Valid, VerifySignedAt(Now + 300, NowTime));

    [Fact]
    public void Verify_Timestamp301SecondsAhead_ReturnsTimestampTooNew() =>
        Assert.Equal(WebhookVerificationOutcome.TimestampTooNew, VerifySignedAt(Now + 301, NowTime));

    [Fact]
    public void Verify_ConfiguredTolerance_IsTheWindow()
    {
        var verifier = Verifier(toleranceSeconds: 10);
        Assert.Equal(WebhookVerificationOutcome.Valid, verifier.Verify(_signer.Sign(Ts(Now - 10), Body), Ts(Now - 10), Body, NowTime));
        Assert.Equal(WebhookVerificationOutcome.TimestampTooOld, verifier.Verify(_signer.Sign(Ts(Now - 11), Body), Ts(Now - 11), Body, NowTime));
    }

    [Fact]
    public void Verify_OldTimestampIsReportedEvenWhenTheSignatureIsAlsoBad() =>
        Assert.Equal(WebhookVerificationOutcome.TimestampTooOld, Verifier().Verify("garbage", Ts(Now - 1000), Body, NowTime));

    public static TheoryData<string> MalformedSignatures()
    {
        // A fixed key, so the cases are the same on every run (Ed25519 signatures are deterministic).
        var good = WebhookSigner.FromSeed(new byte[32]).Sign(Ts(Now), Body);
        return new TheoryData<string>
        {
            "not base64 at all",
            good.TrimEnd('='),                                  // unpadded
            "-_" + good[2..],                                   // base64url alphabet
            good[..^4] + "====",                                // wrong padding
            Convert.ToBase64String(new byte[63]),               // 63 bytes
            Convert.ToBase64String(new byte[65]),               // 65 bytes
            good[..44] + "\n" + good[44..^1],                   // line break inside (and one short)
            good[..^3] + "B==",                                 // non-canonical final character: same bytes, other text
        };
    }

    [Theory]
    [MemberData(nameof(MalformedSignatures))]
    public void Verify_SignatureNotStrictBase64Of64Bytes_ReturnsMalformedSignature(string signature) =>
        Assert.Equal(WebhookVerificationOutcome.MalformedSignature, Verifier().Verify(signature, Ts(Now), Body, NowTime));

    [Fact]
    public void Verify_SignedByAnotherKey_ReturnsSignatureMismatch() =>
        Assert.Equal(WebhookVerificationOutcome.SignatureMismatch,
            Verifier().Verify(WebhookSigner.Generate().Sign(Ts(Now), Body), Ts(Now), Body, NowTime));

    [Fact]
    public void Verify_SignatureOfAnotherTimestamp_ReturnsSignatureMismatch() =>
        Assert.Equal(WebhookVerificationOutcome.SignatureMismatch, Verifier().Verify(_signer.Sign(Ts(Now - 1), Body), Ts(Now), Body, NowTime));

    [Fact]
    public void Verify_TimestampWithLeadingZero_IsSignedAsReceived()
    {
        // The header's bytes are signed verbatim: "01800000000" is not "1800000000".
        var padded = "0" + Ts(Now);
        Assert.Equal(WebhookVerificationOutcome.Valid, Verifier().Verify(_signer.Sign(padded, Body), padded, Body, NowTime));
        Assert.Equal(WebhookVerificationOutcome.SignatureMismatch, Verifier().Verify(_signer.Sign(Ts(Now), Body), padded, Body, NowTime));
    }

    [Fact]
    public void Verify_SharedTestVector_IsValidAtItsTimestamp()
    {
        var vector = JsonDocument.Parse(File.ReadAllText(TelnyxWebhooks.FixturePath("signing", "vector.json"))).RootElement;
        var body = File.ReadAllBytes(TelnyxWebhooks.FixturePath("signing", vector.GetProperty("body_file").GetString()!));
        var key = Convert.FromBase64String(vector.GetProperty("public_key_base64").GetString()!);
        var headers = vector.GetProperty("headers");
        var timestamp = headers.GetProperty("telnyx-timestamp").GetString()!;
        var signature = headers.GetProperty("telnyx-signature-ed25519").GetString()!;
        var verifier = new WebhookSignatureVerifier(key, TimeSpan.FromSeconds(300));
        var at = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

        Assert.Equal(WebhookVerificationOutcome.Valid, verifier.Verify(signature, timestamp, body, at));
        Assert.Equal(WebhookVerificationOutcome.Valid, verifier.Verify(signature, timestamp, body, at.AddSeconds(300)));
        Assert.Equal(WebhookVerificationOutcome.TimestampTooOld, verifier.Verify(signature, timestamp, body, at.AddSeconds(301)));
        Assert.Equal(WebhookVerificationOutcome.SignatureMismatch, verifier.Verify(signature, "1700000001", body, at));
        var tampered = (byte[])body.Clone();
        tampered[^2] ^= 1;
        Assert.Equal(WebhookVerificationOutcome.SignatureMismatch, verifier.Verify(signature, timestamp, tampered, at));
    }

    public static TheoryData<string, string> AlteredBodies => new()
    {
        // signed as                                               received as
        { "{\"from\":\"+15550000001\"}",                          "{\"from\":\"\\u002B15550000001\"}" },   // System.Text.Json's escaping of '+'
        { "{\"from\":\"\\u002B15550000001\"}",                    "{\"from\":\"+15550000001\"}" },
        { "{\"name\":\"Zoë Ærøskøbing 日本\"}",                   "{\"name\":\"Zo\\u00EB \\u00C6r\\u00F8sk\\u00F8bing \\u65E5\\u672C\"}" },
        { "{\n  \"a\": 1\n}",                                     "{\r\n  \"a\": 1\r\n}" },                 // LF vs CRLF
        { "{\"a\":1}\n",                                          "{\"a\":1}" },                            // trailing newline trimmed
        { "{\"a\":1}",                                            "{\"a\":1}\n" },                          // trailing newline added
        { "{\n  \"a\": 1\n}",                                     "{\"a\":1}" },                            // re-serialised compact
    };

    [Theory]
    [MemberData(nameof(AlteredBodies))]
    public void Verify_BodyAcceptedOnlyByteIdentical(string signedAs, string receivedAs)
    {
        var signed = Encoding.UTF8.GetBytes(signedAs);
        var received = Encoding.UTF8.GetBytes(receivedAs);
        var signature = _signer.Sign(Ts(Now), signed);

        Assert.Equal(WebhookVerificationOutcome.Valid, Verifier().Verify(signature, Ts(Now), signed, NowTime));
        Assert.Equal(WebhookVerificationOutcome.SignatureMismatch, Verifier().Verify(signature, Ts(Now), received, NowTime));
    }

    [Fact]
    public void Describe_NamesEveryOutcome()
    {
        var texts = Enum.GetValues<WebhookVerificationOutcome>().Select(WebhookSignatureVerifier.Describe).ToList();
        Assert.Equal(texts.Count, texts.Distinct().Count());
        Assert.DoesNotContain(texts, t => Enum.GetNames<WebhookVerificationOutcome>().Contains(t));
    }
}
