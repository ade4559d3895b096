using ConferenceDemo.Hosting;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Simulator;

/// <summary>How the built-in Telnyx simulator behaves (section "Simulator"). Rates are shares from 0 to 1.</summary>
public sealed class SimulatorOptions
{
    public const string SectionName = "Simulator";

    /// <summary>Added before each webhook delivery, in milliseconds.</summary>
    public int LatencyMilliseconds { get; set; }

    /// <summary>Share of webhooks delivered twice (same data.id), as Telnyx may.</summary>
    public double DuplicateRate { get; set; }

    /// <summary>Share of webhooks held back and delivered after the next one.</summary>
    public double ReorderRate { get; set; }

    /// <summary>Share of REST commands that fail (500 or 429) without being run, so the client's retries show.</summary>
    public double FailureRate { get; set; }

    /// <summary>How long a dialed (outbound) leg rings before it answers, in milliseconds.</summary>
    public int RingMilliseconds { get; set; } = 2000;

    /// <summary>How fast speech is spoken: a text takes its length divided by this many seconds.</summary>
    public int SpeechCharactersPerSecond { get; set; } = 15;

    /// <summary>Seed of the simulator's randomness (realism rates); unset, a different run each time.</summary>
    public int? Seed { get; set; }
}

internal sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        var failures = new List<string>();
        if (options.LatencyMilliseconds is < 0 or > 60_000)
        {
            failures.Add($"Simulator:LatencyMilliseconds must be a whole number from 0 to 60000; it is {options.LatencyMilliseconds}.");
        }

        foreach (var (key, value) in new[]
                 {
                     ("DuplicateRate", options.DuplicateRate), ("ReorderRate", options.ReorderRate), ("FailureRate", options.FailureRate),
                 })
        {
            if (double.IsNaN(value) || value is < 0 or > 1)
            {
                failures.Add($"Simulator:{key} must be a share from 0 to 1 (e.g. 0.2); it is {value.ToString(System.Globalization.CultureInfo.InvariantCulture)}.");
            }
        }

        if (options.RingMilliseconds is < 0 or > 60_000)
        {
            failures.Add($"Simulator:RingMilliseconds must be from 0 to 60000; it is {options.RingMilliseconds}.");
        }

        if (options.SpeechCharactersPerSecond is < 1 or > 1_000_000)
        {
            failures.Add($"Simulator:SpeechCharactersPerSecond must be from 1 to 1000000; it is {options.SpeechCharactersPerSecond}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// Whether Telnyx is simulated inside this server: on when TELNYX_API_KEY is not set (unless TELNYX_SIMULATOR=false),
/// or when TELNYX_SIMULATOR=true. Decided once at start; a readiness check reads <see cref="IsOn"/>.
/// </summary>
public sealed class SimulatorMode(bool isOn, string reason)
{
    public bool IsOn { get; } = isOn;

    /// <summary>Why the mode is what it is, for the start-up line and a readiness report.</summary>
    public string Reason { get; } = reason;

    public static SimulatorMode From(IConfiguration configuration)
    {
        var raw = configuration["Telnyx:Simulator"];
        bool? chosen = null;
        if (!string.IsNullOrWhiteSpace(raw))
        {
            chosen = bool.TryParse(raw.Trim(), out var value)
                ? value
                : throw new SettingsException($"{SettingNames.Describe("Telnyx:Simulator")} must be true or false; it is '{raw}'.");
        }

        var hasKey = !string.IsNullOrWhiteSpace(configuration["Telnyx:ApiKey"]);
        return chosen switch
        {
            true => new SimulatorMode(true, "TELNYX_SIMULATOR=true"),
            false => new SimulatorMode(false, "TELNYX_SIMULATOR=false"),
            null when !hasKey => new SimulatorMode(true, "TELNYX_API_KEY is not set"),
            _ => new SimulatorMode(false, "TELNYX_API_KEY is set"),
        };
    }
}
