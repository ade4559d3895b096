using ConferenceDemo.Hosting;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Webhooks;

/// <summary>How webhooks are authenticated (section "Webhooks").</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>The largest webhook body read; a larger one gets 413 before any crypto work.</summary>
    public const int MaxBodyBytes = 1024 * 1024;

    /// <summary>Telnyx's account public key: standard base64 of the raw 32-byte Ed25519 key.</summary>
    public string? PublicKey { get; set; }

    /// <summary>False switches verification off (development only); the server says so at start and on the first webhook.</summary>
    public bool Verify { get; set; } = true;

    /// <summary>How far telnyx-timestamp may be from now, either way. Telnyx's SDKs use 300.</summary>
    public int ToleranceSeconds { get; set; } = 300;

    /// <summary>How long an accepted event id is remembered, so a redelivery is not applied twice.</summary>
    public int DedupeHours { get; set; } = 24;

}

internal sealed class WebhookOptionsValidator : IValidateOptions<WebhookOptions>
{
    public ValidateOptionsResult Validate(string? name, WebhookOptions options)
    {
        var failures = new List<string>();
        if (options.ToleranceSeconds < 1)
        {
            failures.Add($"{SettingNames.Describe("Webhooks:ToleranceSeconds")} must be a positive whole number of seconds; it is {options.ToleranceSeconds}.");
        }

        if (options.DedupeHours < 1)
        {
            failures.Add("Webhooks:DedupeHours must be at least 1.");
        }

        if (!string.IsNullOrWhiteSpace(options.PublicKey) && !WebhookPublicKey.TryParse(options.PublicKey, out _, out var problem))
        {
            failures.Add($"{SettingNames.Describe("Webhooks:PublicKey")} {problem} {WebhookPublicKey.WhereToFindIt}");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
