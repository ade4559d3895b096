using System.Diagnostics.CodeAnalysis;

namespace ConferenceDemo.Telnyx;

/// <summary>
/// The one rule for the ids Telnyx hands out and this server puts into URL paths: call control ids ("v3:" then
/// URL-safe base64) and conference ids (UUIDs). An id is 1 to <see cref="MaxLength"/> letters, digits, '-', '_'
/// or ':'. Dots are never part of one, so "." and ".." (which a URL would collapse into its parent) cannot pass.
/// </summary>
public static class TelnyxIds
{
    /// <summary>Far above the longest id Telnyx issues (about 60 characters), small enough to keep logs and paths short.</summary>
    public const int MaxLength = 256;

    public const string Rule = "1 to 256 letters, digits, '-', '_' or ':'";

    public static bool IsValid([NotNullWhen(true)] string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > MaxLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or ':'))
            {
                return false;
            }
        }

        return true;
    }
}
