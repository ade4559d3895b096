using System.Net;
using ConferenceDemo.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
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

    /// <summary>
    /// Proxies whose X-Forwarded-For (and -Proto, -Host) are believed, comma-separated IP addresses or CIDR ranges,
    /// e.g. "127.0.0.1,10.0.0.0/8" for ngrok on this machine. Empty: the connection's own address is the client.
    /// </summary>
    public string? TrustedProxies { get; set; }

    public IReadOnlyList<string> TrustedProxyList =>
        (TrustedProxies ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public const int MinimumTokenLength = 16;

    /// <summary>Only the listed proxies are trusted (ASP.NET's loopback defaults are cleared); one hop is read.</summary>
    internal static void ConfigureTrustedProxies(ForwardedHeadersOptions forwarded, string? trustedProxies)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        foreach (var entry in new ControlOptions { TrustedProxies = trustedProxies }.TrustedProxyList)
        {
            if (entry.Contains('/', StringComparison.Ordinal) && System.Net.IPNetwork.TryParse(entry, out var network))
            {
                forwarded.KnownIPNetworks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address))
            {
                forwarded.KnownProxies.Add(address);
            }
        }
    }
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

        foreach (var entry in options.TrustedProxyList)
        {
            if (entry.Contains('/', StringComparison.Ordinal) ? !System.Net.IPNetwork.TryParse(entry, out _) : !IPAddress.TryParse(entry, out _))
            {
                failures.Add($"{SettingNames.Describe("Control:TrustedProxies")} must be IP addresses or CIDR ranges separated by commas, e.g. 127.0.0.1,10.0.0.0/8; '{entry}' is not one.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
