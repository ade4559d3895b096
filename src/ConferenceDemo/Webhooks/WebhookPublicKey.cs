using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;

namespace ConferenceDemo.Webhooks;

/// <summary>
/// Reads TELNYX_PUBLIC_KEY: standard base64 of the raw 32-byte Ed25519 key (44 characters ending in "=").
/// When it is something else, says what it looks like, because the usual mistakes have recognisable shapes.
/// The key itself never appears in a message.
/// </summary>
public static partial class WebhookPublicKey
{
    public const int Length = 32;

    public const string WhereToFindIt =
        "Copy the key from the Telnyx portal: Mission Control > Account Settings > Keys & Credentials > Public Key " +
        "(one line of base64, 44 characters).";

    // DER SubjectPublicKeyInfo header for Ed25519 (RFC 8410): what PEM/SPKI exports put before the 32 raw bytes.
    private static readonly byte[] SpkiPrefix = Convert.FromHexString("302a300506032b6570032100");

    public static bool TryParse(string value, [NotNullWhen(true)] out byte[]? key, [NotNullWhen(false)] out string? problem)
    {
        key = null;
        var text = value.Trim();
        if (text.StartsWith("-----BEGIN", StringComparison.Ordinal))
        {
            problem = "looks like a PEM block; it must be the bare base64 of the 32-byte key, not PEM.";
            return false;
        }

        if (text.StartsWith("whsec_", StringComparison.Ordinal))
        {
            problem = "looks like a Standard Webhooks HMAC secret (whsec_...); Telnyx signs with Ed25519 and needs its public key.";
            return false;
        }

        if (Hex().IsMatch(text))
        {
            problem = "looks like hex; it must be standard base64 of the 32-byte key.";
            return false;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(text);
        }
        catch (FormatException)
        {
            problem = "is not base64.";
            return false;
        }

        if (bytes.Length == SpkiPrefix.Length + Length && bytes.AsSpan(0, SpkiPrefix.Length).SequenceEqual(SpkiPrefix))
        {
            problem = "is a DER/SPKI-wrapped key; it must be the base64 of the raw 32-byte key.";
            return false;
        }

        if (bytes.Length != Length)
        {
            problem = $"decodes to {bytes.Length} bytes; an Ed25519 public key is {Length}.";
            return false;
        }

        key = bytes;
        problem = null;
        return true;
    }

    [GeneratedRegex("^(0x)?[0-9a-fA-F]{64}$")]
    private static partial Regex Hex();
}
