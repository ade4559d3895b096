using System.Text.RegularExpressions;
using ConferenceDemo.Hosting;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// The default room (section "Conference"): its Telnyx name, voice, greetings, hold music and recording format, which
/// also fill in what a room in the Rooms section leaves unset; and the demo's route prefix and pull guard.
/// </summary>
public sealed partial class ConferenceOptions
{
    public const string SectionName = "Conference";

    /// <summary>The Telnyx conference name, and the key of the room's state.</summary>
    public string Name { get; set; } = "myconf";

    /// <summary>Every route lives under /{RoutePrefix}/ (the Node demo's app name).</summary>
    public string RoutePrefix { get; set; } = "telnyx-conf-v2";

    public string Voice { get; set; } = "female";

    public string Language { get; set; } = "en-GB";

    /// <summary>Spoken to the caller who opens the conference.</summary>
    public string FirstCallerGreeting { get; set; } = "Welcome to this conference demo. Please wait for other participants to join. ";

    /// <summary>Spoken to every later caller.</summary>
    public string LaterCallerGreeting { get; set; } = "Welcome to this conference demo. We are now putting you on the conference room. ";

    /// <summary>Hold music (audio_url of hold). Without it, hold uses Telnyx's default.</summary>
    public string? WaitingUrl { get; set; }

    public string RecordingFormat { get; set; } = "mp3";

    public string RecordingChannels { get; set; } = "dual";

    /// <summary>
    /// Toll-fraud guard for pull: comma-separated E.164 prefixes (e.g. "+1,+44"). When set, any other number is
    /// refused without dialing. Empty allows every number.
    /// </summary>
    public string? PullAllowedPrefixes { get; set; }

    public IReadOnlyList<string> AllowedPrefixes =>
        (PullAllowedPrefixes ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    internal static partial Regex PathSegment();

    [GeneratedRegex(@"^\+[0-9]{1,15}$")]
    internal static partial Regex PrefixPattern();
}

internal sealed partial class ConferenceOptionsValidator : IValidateOptions<ConferenceOptions>
{
    public ValidateOptionsResult Validate(string? name, ConferenceOptions options)
    {
        var failures = new List<string>();
        if (!ConferenceOptions.PathSegment().IsMatch(options.RoutePrefix ?? ""))
        {
            failures.Add($"Conference:RoutePrefix must be one URL path segment of letters, digits, '.', '_' or '-'; it is '{options.RoutePrefix}'.");
        }

        if (string.IsNullOrWhiteSpace(options.Name))
        {
            failures.Add("Conference:Name must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.Voice) || string.IsNullOrWhiteSpace(options.Language))
        {
            failures.Add("Conference:Voice and Conference:Language must not be empty.");
        }

        if (string.IsNullOrWhiteSpace(options.FirstCallerGreeting) || string.IsNullOrWhiteSpace(options.LaterCallerGreeting)
            || options.FirstCallerGreeting.Length > 3000 || options.LaterCallerGreeting.Length > 3000)
        {
            failures.Add("Conference:FirstCallerGreeting and Conference:LaterCallerGreeting must be 1 to 3000 characters (Telnyx's speak limit).");
        }

        if (!string.IsNullOrEmpty(options.WaitingUrl)
            && (!Uri.TryCreate(options.WaitingUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            failures.Add($"{SettingNames.Describe("Conference:WaitingUrl")} must be an absolute http(s) URL of an mp3 or wav file; it is '{options.WaitingUrl}'.");
        }

        foreach (var prefix in options.AllowedPrefixes)
        {
            if (!ConferenceOptions.PrefixPattern().IsMatch(prefix))
            {
                failures.Add($"{SettingNames.Describe("Conference:PullAllowedPrefixes")} must be E.164 prefixes separated by commas, e.g. +1,+44; '{prefix}' is not one.");
            }
        }

        if (options.RecordingFormat is not ("mp3" or "wav") || options.RecordingChannels is not ("single" or "dual"))
        {
            failures.Add("Conference:RecordingFormat must be mp3 or wav, and Conference:RecordingChannels single or dual.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
