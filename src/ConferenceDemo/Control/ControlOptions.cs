using ConferenceDemo.Hosting;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Control;

/// <summary>Who may use the control routes, and how often (section "Control").</summary>
public sealed class ControlOptions
{
    public const string SectionName = "Control";

    /// <summary>The HTTP Basic user name.</summary>
    public string User { get; set; } = "admin";

    /// <summary>The HTTP Basic password. With neither a password nor a token, one is generated at start.</summary>
    public string? Password { get; set; }

    /// <summary>A Bearer token for scripts.</summary>
    public string? Token { get; set; }

    /// <summary>Requests per minute one client may make to the control routes.</summary>
    public int RequestsPerMinute { get; set; } = 120;

    /// <summary>Failed sign-ins per minute one client may make before it is refused (429) for the rest of the minute.</summary>
    public int FailedAttemptsPerMinute { get; set; } = 10;

    /// <summary>Pulls (dial-outs) per minute, for the whole server.</summary>
    public int PullsPerMinute { get; set; } = 10;

    public const int MinimumTokenLength = 16;
}

internal sealed class ControlOptionsValidator : IValidateOptions<ControlOptions>
{
    public ValidateOptionsResult Validate(string? name, ControlOptions options)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(options.User) || options.User.Contains(':', StringComparison.Ordinal))
        {
            failures.Add($"{SettingNames.Describe("Control:User")} must be a non-empty name without ':'.");
        }

        if (options.Token is { Length: > 0 and < ControlOptions.MinimumTokenLength })
        {
            failures.Add($"{SettingNames.Describe("Control:Token")} must be at least {ControlOptions.MinimumTokenLength} characters; use a random value, e.g. `openssl rand -hex 24`.");
        }

        if (options.RequestsPerMinute < 1 || options.FailedAttemptsPerMinute < 1 || options.PullsPerMinute < 1)
        {
            failures.Add($"{SettingNames.Describe("Control:RequestsPerMinute")}, {SettingNames.Describe("Control:FailedAttemptsPerMinute")} and {SettingNames.Describe("Control:PullsPerMinute")} must be at least 1.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
