using ConferenceDemo.Hosting;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Rooms.Processing;

/// <summary>How much work may wait, and how long shutdown waits for it (section "Processing").</summary>
public sealed class ProcessingOptions
{
    public const string SectionName = "Processing";

    /// <summary>Webhook events accepted but not yet decided, over all rooms; past it a webhook gets 503 (Telnyx retries).</summary>
    public int MaxPendingEvents { get; set; } = 10_000;

    /// <summary>On SIGTERM or Ctrl+C, how long accepted events and commands on their way may take to finish.</summary>
    public int DrainTimeoutSeconds { get; set; } = 30;
}

internal sealed class ProcessingOptionsValidator : IValidateOptions<ProcessingOptions>
{
    public ValidateOptionsResult Validate(string? name, ProcessingOptions options)
    {
        var failures = new List<string>();
        if (options.MaxPendingEvents is < 1 or > 10_000_000)
        {
            failures.Add($"{SettingNames.Describe("Processing:MaxPendingEvents")} must be from 1 to 10000000; it is {options.MaxPendingEvents}.");
        }

        if (options.DrainTimeoutSeconds is < 0 or > 3600)
        {
            failures.Add($"{SettingNames.Describe("Processing:DrainTimeoutSeconds")} must be from 0 to 3600 seconds; it is {options.DrainTimeoutSeconds}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
