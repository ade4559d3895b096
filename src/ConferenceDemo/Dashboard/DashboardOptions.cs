using ConferenceDemo.Hosting;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Dashboard;

/// <summary>The live event streams and the dashboard page (section "Dashboard").</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>How long an event stream may stay silent before a comment line is sent to keep proxies from closing it.</summary>
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>How far back the dashboard lists the people who left and why.</summary>
    public int DepartureHistoryMinutes { get; set; } = 60;

    /// <summary>How long a sign-in session lasts without use (each request renews it).</summary>
    public int SessionHours { get; set; } = 8;
}

internal sealed class DashboardOptionsValidator : IValidateOptions<DashboardOptions>
{
    public ValidateOptionsResult Validate(string? name, DashboardOptions options)
    {
        var failures = new List<string>();
        if (options.HeartbeatSeconds is < 1 or > 300)
        {
            failures.Add($"{SettingNames.Describe("Dashboard:HeartbeatSeconds")} must be from 1 to 300 seconds; it is {options.HeartbeatSeconds}.");
        }

        if (options.DepartureHistoryMinutes is < 1 or > 1440)
        {
            failures.Add($"{SettingNames.Describe("Dashboard:DepartureHistoryMinutes")} must be from 1 to 1440 minutes; it is {options.DepartureHistoryMinutes}.");
        }

        if (options.SessionHours is < 1 or > 720)
        {
            failures.Add($"{SettingNames.Describe("Dashboard:SessionHours")} must be from 1 to 720 hours; it is {options.SessionHours}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

/// <summary>
/// The clock an event stream's heartbeat waits on. A seam of its own, so a test can drive the heartbeat with a fake
/// clock while the rest of the server keeps the test's clock.
/// </summary>
public sealed class HeartbeatClock(TimeProvider time)
{
    public TimeProvider Time { get; } = time;
}
