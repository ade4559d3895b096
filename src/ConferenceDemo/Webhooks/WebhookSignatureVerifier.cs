using System.Buffers;
using System.Text;
using NSec.Cryptography;

namespace ConferenceDemo.Webhooks;

/// <summary>What a signature check found. Everything but <see cref="Valid"/> rejects the webhook.</summary>
public enum WebhookVerificationOutcome
{
    Valid,
    MissingSignature,
    MissingTimestamp,
    MalformedTimestamp,
    TimestampTooOld,
    TimestampTooNew,
    MalformedSignature,
    SignatureMismatch,
}

/// <summary>
/// Checks a Telnyx webhook signature: Ed25519 over the telnyx-timestamp header's bytes as received, "|", and the raw
/// body bytes. Pure: no I/O, no clock of its own; checks run in the official SDKs' order and fail closed.
/// </summary>
public sealed class WebhookSignatureVerifier
{
    private const int SignatureLength = 64;
    private const int SignatureBase64Length = 88;
    private const int MaxTimestampDigits = 12; // far beyond year 9999; keeps long parsing safe

    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    // Imported once: libsodium checks against this handle on every webhook.
    private readonly PublicKey _publicKey;
    private readonly long _toleranceSeconds;

    public WebhookSignatureVerifier(byte[] publicKey, TimeSpan tolerance)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        if (publicKey.Length != WebhookPublicKey.Length)
        {
            throw new ArgumentException($"An Ed25519 public key is {WebhookPublicKey.Length} bytes.", nameof(publicKey));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, TimeSpan.FromSeconds(1));
        _publicKey = PublicKey.Import(Algorithm, publicKey, KeyBlobFormat.RawPublicKey);
        _toleranceSeconds = (long)tolerance.TotalSeconds;
    }

    public WebhookVerificationOutcome Verify(string? signature, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now)
    {
        if (string.IsNullOrEmpty(signature))
        {
            return WebhookVerificationOutcome.MissingSignature;
        }

        if (string.IsNullOrEmpty(timestamp))
        {
            return WebhookVerificationOutcome.MissingTimestamp;
        }

        if (timestamp.Length > MaxTimestampDigits || !timestamp.All(char.IsAsciiDigit))
        {
            return WebhookVerificationOutcome.MalformedTimestamp;
        }

        var signedAt = long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture);
        var nowSeconds = now.ToUnixTimeSeconds();
        if (signedAt < nowSeconds - _toleranceSeconds)
        {
            return WebhookVerificationOutcome.TimestampTooOld;
        }

        if (signedAt > nowSeconds + _toleranceSeconds)
        {
            return WebhookVerificationOutcome.TimestampTooNew;
        }

        // Strict: exactly 88 characters of the standard alphabet with "==" padding, and canonical (re-encoding the
        // 64 bytes gives the same text), as Go, Java, Ruby and PHP decode it.
        Span<byte> sig = stackalloc byte[SignatureLength];
        if (signature.Length != SignatureBase64Length
            || !Convert.TryFromBase64String(signature, sig, out var written) || written != SignatureLength
            || !string.Equals(Convert.ToBase64String(sig), signature, StringComparison.Ordinal))
        {
            return WebhookVerificationOutcome.MalformedSignature;
        }

        // Timestamp (digits only, so ASCII) + '|' + body, in one pooled buffer.
        var length = timestamp.Length + 1 + body.Length;
        var message = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Encoding.ASCII.GetBytes(timestamp, message);
            message[timestamp.Length] = (byte)'|';
            body.CopyTo(message.AsSpan(timestamp.Length + 1));
            return Algorithm.Verify(_publicKey, message.AsSpan(0, length), sig)
                ? WebhookVerificationOutcome.Valid
                : WebhookVerificationOutcome.SignatureMismatch;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(message);
        }
    }

    /// <summary>The short text a rejected webhook's 401 body carries.</summary>
    public static string Describe(WebhookVerificationOutcome outcome) => outcome switch
    {
        WebhookVerificationOutcome.Valid => "valid",
        WebhookVerificationOutcome.MissingSignature => "missing telnyx-signature-ed25519 header",
        WebhookVerificationOutcome.MissingTimestamp => "missing telnyx-timestamp header",
        WebhookVerificationOutcome.MalformedTimestamp => "timestamp is not a whole number of seconds",
        WebhookVerificationOutcome.TimestampTooOld => "timestamp too old",
        WebhookVerificationOutcome.TimestampTooNew => "timestamp too new",
        WebhookVerificationOutcome.MalformedSignature => "signature is not base64 of 64 bytes",
        WebhookVerificationOutcome.SignatureMismatch => "signature does not match",
        _ => outcome.ToString(),
    };

    /// <summary>What the operator should do about a rejection: goes to the log, not to the caller.</summary>
    public static string Remedy(WebhookVerificationOutcome outcome) => outcome switch
    {
        WebhookVerificationOutcome.MissingSignature or WebhookVerificationOutcome.MissingTimestamp =>
            "the request was not signed by Telnyx; if it was, check that no proxy strips the telnyx-* headers",
        WebhookVerificationOutcome.MalformedTimestamp or WebhookVerificationOutcome.MalformedSignature =>
            "the telnyx-* headers were altered on the way, or the request does not come from Telnyx",
        WebhookVerificationOutcome.TimestampTooOld or WebhookVerificationOutcome.TimestampTooNew =>
            "a replay, or this machine's clock is off (run NTP); TELNYX_WEBHOOK_TOLERANCE_SECONDS sets the window",
        WebhookVerificationOutcome.SignatureMismatch =>
            "TELNYX_PUBLIC_KEY is not this account's key, something re-encoded the body, or the request is forged",
        _ => "none",
    };
}
