using ConferenceDemo.Hosting;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Telnyx;

/// <summary>How the server reaches Telnyx's REST API (section "Telnyx").</summary>
public sealed class TelnyxOptions
{
    public const string SectionName = "Telnyx";

    /// <summary>Bearer key for REST commands. Without it the server runs, and every command fails with a clear error.</summary>
    public string? ApiKey { get; set; }

    /// <summary>REST base; point it at a mock (Prism) to run without Telnyx.</summary>
    public string BaseUrl { get; set; } = "https://api.telnyx.com/v2";

    /// <summary>The Call Control application id used to dial out (pull).</summary>
    public string? ConnectionId { get; set; }

    /// <summary>The number callers dial, and the caller id when dialing out. E.164.</summary>
    public string? PhoneNumber { get; set; }

    /// <summary>How long one REST command may take before it counts as timed out.</summary>
    public int CommandTimeoutSeconds { get; set; } = 10;

    public bool HasApiKey => !string.IsNullOrWhiteSpace(ApiKey);
}

internal sealed class TelnyxOptionsValidator : IValidateOptions<TelnyxOptions>
{
    public ValidateOptionsResult Validate(string? name, TelnyxOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.BaseUrl, UriKind.Absolute, out var baseUrl) || baseUrl.Scheme is not ("http" or "https"))
        {
            failures.Add($"{SettingNames.Describe("Telnyx:BaseUrl")} must be an absolute http(s) URL such as https://api.telnyx.com/v2; it is '{options.BaseUrl}'.");
        }

        if (!string.IsNullOrEmpty(options.PhoneNumber) && !PhoneNumbers.IsE164(options.PhoneNumber))
        {
            failures.Add($"{SettingNames.Describe("Telnyx:PhoneNumber")} must be an E.164 number such as +15551234567; it is '{options.PhoneNumber}'.");
        }

        if (options.CommandTimeoutSeconds is < 1 or > 120)
        {
            failures.Add($"{SettingNames.Describe("Telnyx:CommandTimeoutSeconds")} must be from 1 to 120 seconds; it is {options.CommandTimeoutSeconds}.");
        }

        if (options.ApiKey is { Length: > 0 } key && key.Trim() != key)
        {
            failures.Add($"{SettingNames.Describe("Telnyx:ApiKey")} has spaces or a line break around it; remove them.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
