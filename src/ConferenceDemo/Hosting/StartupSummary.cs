using ConferenceDemo.Control;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Simulator;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Hosting;

/// <summary>
/// One summary once the server listens: the webhook URL to paste into the Telnyx portal, the Telnyx base URL (or the
/// simulator), which settings are set (never their values) and where the dashboard is; then a warning for each
/// setting that is set oddly.
/// </summary>
internal sealed partial class StartupSummary(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<TelnyxOptions> telnyx,
    IOptions<WebhookOptions> webhooks,
    IOptions<ConferenceOptions> conference,
    IOptions<ControlOptions> control,
    SimulatorMode simulator,
    ILogger<StartupSummary> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        lifetime.ApplicationStarted.Register(Report);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void Report()
    {
        var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var listening = addresses.Count == 0 ? "(unknown)" : string.Join(", ", addresses);
        var path = $"/{conference.Value.RoutePrefix}/start";
        var t = telnyx.Value;
        var c = control.Value;
        var simulated = simulator.IsOn;
        string Set(bool isSet) => isSet ? "set" : "not set";

        // In simulator mode the simulator stands in for what is unset; the summary says so rather than "set".
        string Telnyx(bool isSet, bool standIn) => simulated && standIn ? "simulated" : Set(isSet);
        var waiting = conference.Value.WaitingUrl;
        var settings = string.Join(", ",
            $"TELNYX_API_KEY {Telnyx(t.HasApiKey, standIn: true)}",
            $"TELNYX_PUBLIC_KEY {Telnyx(!string.IsNullOrWhiteSpace(webhooks.Value.PublicKey), standIn: true)}",
            $"TELNYX_CONNECTION_ID {Telnyx(!string.IsNullOrWhiteSpace(t.ConnectionId), t.ConnectionId == SimulatorExtensions.PlaceholderConnectionId)}",
            $"TELNYX_PHONE_NUMBER {Telnyx(!string.IsNullOrWhiteSpace(t.PhoneNumber), t.PhoneNumber == SimulatorApi.PlaceholderNumber)}",
            $"TELNYX_WAITING_URL {Telnyx(!string.IsNullOrWhiteSpace(waiting), waiting?.EndsWith(SimulatorMedia.TunePath, StringComparison.Ordinal) == true)}",
            $"CONTROL_PASSWORD {Set(!string.IsNullOrEmpty(c.Password))}",
            $"CONTROL_TOKEN {Set(!string.IsNullOrEmpty(c.Token))}",
            $"TRUSTED_PROXIES {Set(c.TrustedProxyList.Count > 0)}");
        Log.Summary(logger, path, listening, simulated ? "simulated in this server (/simulator/v2)" : t.BaseUrl, settings);
        Log.Dashboard(logger, $"{Browsable(addresses.FirstOrDefault() ?? "http://localhost:8081")}/", c.User);

        if (Uri.TryCreate(t.BaseUrl, UriKind.Absolute, out var baseUrl) && baseUrl.AbsolutePath.TrimEnd('/') != "/v2")
        {
            Log.BaseUrlPath(logger, t.BaseUrl, baseUrl.AbsolutePath);
        }

        if (string.IsNullOrWhiteSpace(conference.Value.WaitingUrl))
        {
            Log.NoWaitingUrl(logger);
        }
    }

    /// <summary>A listening address a browser can open: a wildcard host ([::], 0.0.0.0, +, *) becomes localhost.</summary>
    internal static string Browsable(string address)
    {
        var trimmed = address.TrimEnd('/');
        foreach (var wildcard in new[] { "://[::]", "://0.0.0.0", "://+", "://*" })
        {
            if (trimmed.Contains(wildcard, StringComparison.Ordinal))
            {
                return trimmed.Replace(wildcard, "://localhost", StringComparison.Ordinal);
            }
        }

        return trimmed;
    }

    private static partial class Log
    {
        [LoggerMessage(1303, LogLevel.Information, "Dashboard: {Url} (sign in as '{User}' with the control password)", EventName = "DashboardAddress")]
        public static partial void Dashboard(ILogger logger, string url, string user);

        [LoggerMessage(1300, LogLevel.Information, "Webhook URL for the Telnyx portal (Call Control application > Webhook URL): " +
            "https://<your public host>{WebhookPath}, e.g. the ngrok URL; listening on {Listening}. Telnyx API: {BaseUrl}. Settings: {Settings}",
            EventName = "StartupSummary")]
        public static partial void Summary(ILogger logger, string webhookPath, string listening, string baseUrl, string settings);

        [LoggerMessage(1301, LogLevel.Warning, "TELNYX_BASE_URL is {BaseUrl}: its path is {Path}, not /v2, so Telnyx commands will likely " +
            "fail with 404; Telnyx's own is https://api.telnyx.com/v2, Prism's http://127.0.0.1:4010/v2", EventName = "BaseUrlNotV2")]
        public static partial void BaseUrlPath(ILogger logger, string baseUrl, string path);

        [LoggerMessage(1302, LogLevel.Warning, "TELNYX_WAITING_URL is not set: a caller alone in the conference is put on hold without " +
            "an audio_url, so they hear whatever Telnyx plays by default on hold, not music of yours", EventName = "NoWaitingUrl")]
        public static partial void NoWaitingUrl(ILogger logger);
    }
}
