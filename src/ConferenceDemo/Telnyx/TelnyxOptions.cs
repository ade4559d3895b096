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

    /// <summary>How long one attempt of a command may take before it counts as timed out (and is retried).</summary>
    public int CommandTimeoutSeconds { get; set; } = 5;

    /// <summary>Attempts per command, the first included, on 5xx, 429, timeouts and connection errors.</summary>
    public int RetryMaxAttempts { get; set; } = 4;

    /// <summary>The first backoff; each later one doubles, with jitter.</summary>
    public int RetryBaseDelayMilliseconds { get; set; } = 200;

    /// <summary>The most time one command may take over all its attempts and waits.</summary>
    public int RetryBudgetSeconds { get; set; } = 20;

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

        if (options.RetryMaxAttempts is < 1 or > 10)
        {
            failures.Add($"{SettingNames.Describe("Telnyx:RetryMaxAttempts")} must be from 1 to 10; it is {options.RetryMaxAttempts}.");
        }

        if (options.RetryBaseDelayMilliseconds is < 0 or > 10_000)
        {
            failures.Add($"{SettingNames.Describe("Telnyx:RetryBaseDelayMilliseconds")} must be from 0 to 10000; it is {options.RetryBaseDelayMilliseconds}.");
        }

        if (options.RetryBudgetSeconds < options.CommandTimeoutSeconds || options.RetryBudgetSeconds > 600)
        {
            failures.Add($"{SettingNames.Describe("Telnyx:RetryBudgetSeconds")} must be from {SettingNames.Describe("Telnyx:CommandTimeoutSeconds")} to 600; it is {options.RetryBudgetSeconds}.");
        }

        if (options.ApiKey is { Length: > 0 } key && key.Trim() != key)
        {
            failures.Add($"{SettingNames.Describe("Telnyx:ApiKey")} has spaces or a line break around it; remove them.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
