namespace ConferenceDemo.Hosting;

/// <summary>
/// The flat names Telnyx users know (TELNYX_API_KEY, …) and the configuration keys they set. Both spellings work:
/// <c>TELNYX_API_KEY</c> and the ASP.NET form <c>Telnyx__ApiKey</c>.
/// </summary>
public static class SettingNames
{
    public const string Port = "PORT";
    public const int DefaultPort = 8081;

    private static readonly (string Flat, string Key)[] Table =
    [
        ("TELNYX_API_KEY", "Telnyx:ApiKey"),
        ("TELNYX_BASE_URL", "Telnyx:BaseUrl"),
        ("TELNYX_CONNECTION_ID", "Telnyx:ConnectionId"),
        ("TELNYX_PHONE_NUMBER", "Telnyx:PhoneNumber"),
        ("TELNYX_COMMAND_TIMEOUT_SECONDS", "Telnyx:CommandTimeoutSeconds"),
        ("TELNYX_RETRY_MAX_ATTEMPTS", "Telnyx:RetryMaxAttempts"),
        ("TELNYX_RETRY_BASE_DELAY_MS", "Telnyx:RetryBaseDelayMilliseconds"),
        ("TELNYX_RETRY_BUDGET_SECONDS", "Telnyx:RetryBudgetSeconds"),
        ("TELNYX_SIMULATOR", "Telnyx:Simulator"),
        ("TELNYX_WAITING_URL", "Conference:WaitingUrl"),
        ("TELNYX_PUBLIC_KEY", "Webhooks:PublicKey"),
        ("TELNYX_VERIFY_WEBHOOKS", "Webhooks:Verify"),
        ("TELNYX_WEBHOOK_TOLERANCE_SECONDS", "Webhooks:ToleranceSeconds"),
        ("CONTROL_USER", "Control:User"),
        ("CONTROL_PASSWORD", "Control:Password"),
        ("CONTROL_TOKEN", "Control:Token"),
        ("CONTROL_RATE_LIMIT_PER_MINUTE", "Control:RequestsPerMinute"),
        ("CONTROL_AUTH_FAILURES_PER_MINUTE", "Control:FailedAttemptsPerMinute"),
        ("PULL_RATE_LIMIT_PER_MINUTE", "Control:PullsPerMinute"),
        ("PULL_ALLOWED_PREFIXES", "Conference:PullAllowedPrefixes"),
        ("TRUSTED_PROXIES", "Control:TrustedProxies"),
        ("MAX_CONCURRENT_CONNECTIONS", "Hosting:MaxConcurrentConnections"),
        ("LOG_FORMAT", "Logging:Format"),
        ("STORAGE_PROVIDER", "Storage:Provider"),
        ("STORAGE_CONNECTION_STRING", "Storage:ConnectionString"),
    ];

    /// <summary>The configuration key a flat name sets, or null when the name is not one of ours.</summary>
    public static string? KeyFor(string flatName)
    {
        foreach (var (flat, key) in Table)
        {
            if (string.Equals(flat, flatName, StringComparison.OrdinalIgnoreCase))
            {
                return key;
            }
        }

        return null;
    }

    /// <summary>"TELNYX_API_KEY (Telnyx:ApiKey)": how a message names a setting so that either spelling is found.</summary>
    public static string Describe(string key)
    {
        foreach (var (flat, k) in Table)
        {
            if (string.Equals(k, key, StringComparison.OrdinalIgnoreCase))
            {
                return $"{flat} ({k})";
            }
        }

        return key;
    }
}
