using System.Text;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Webhooks;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Hosting;

/// <summary>
/// /healthz is liveness (the process answers); /readyz is readiness: every health check tagged
/// <see cref="ReadyTag"/> must pass. A feature that can leave the server unable to work adds such a check.
/// </summary>
public static class Readiness
{
    public const string ReadyTag = "ready";

    public static IHostApplicationBuilder AddReadiness(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHealthChecks().AddCheck<TelnyxSettingsCheck>("telnyx-settings", tags: [ReadyTag]);
        return builder;
    }

    public static WebApplication MapHealthEndpoints(this WebApplication app)
    {
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/readyz", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    /// <summary>"Ready", or "Not ready: " and what each failing check says, one per line.</summary>
    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "text/plain; charset=utf-8";
        if (report.Status != HealthStatus.Unhealthy)
        {
            // Ready; a degraded check (the simulator) says what the caller should know.
            var notes = report.Entries.Values.Where(e => e.Status == HealthStatus.Degraded).Select(e => $" ({e.Description})");
            return context.Response.WriteAsync("Ready" + string.Concat(notes));
        }

        var text = new StringBuilder("Not ready:");
        foreach (var (_, entry) in report.Entries.Where(e => e.Value.Status == HealthStatus.Unhealthy))
        {
            text.Append('\n').Append(entry.Description);
        }

        return context.Response.WriteAsync(text.ToString());
    }

    /// <summary>Without an API key no command reaches Telnyx; without the public key every webhook is refused.</summary>
    private sealed class TelnyxSettingsCheck(IOptions<TelnyxOptions> telnyx, IOptions<WebhookOptions> webhooks) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var missing = new List<string>();
            if (!telnyx.Value.HasApiKey)
            {
                missing.Add("TELNYX_API_KEY is not set: no command can reach Telnyx");
            }

            if (webhooks.Value.Verify && string.IsNullOrWhiteSpace(webhooks.Value.PublicKey))
            {
                missing.Add("TELNYX_PUBLIC_KEY is not set: every webhook is refused with 401");
            }

            return Task.FromResult(missing.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy(string.Join("\n", missing)));
        }
    }
}
