using ConferenceDemo.Control;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Hosting;

/// <summary>
/// One summary once the server listens: the webhook URL to paste into the Telnyx portal, the Telnyx base URL, and
/// which settings are set (never their values); then a warning for each setting that is set oddly.
/// </summary>
internal sealed partial class StartupSummary(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<TelnyxOptions> telnyx,
    IOptions<WebhookOptions> webhooks,
    IOptions<ConferenceOptions> conference,
    IOptions<ControlOptions> control,
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
        string Set(bool isSet) => isSet ? "set" : "not set";
        var settings = string.Join(", ",
            $"TELNYX_API_KEY {Set(t.HasApiKey)}",
            $"TELNYX_PUBLIC_KEY {Set(!string.IsNullOrWhiteSpace(webhooks.Value.PublicKey))}",
            $"TELNYX_CONNECTION_ID {Set(!string.IsNullOrWhiteSpace(t.ConnectionId))}",
            $"TELNYX_PHONE_NUMBER {Set(!string.IsNullOrWhiteSpace(t.PhoneNumber))}",
            $"TELNYX_WAITING_URL {Set(!string.IsNullOrWhiteSpace(conference.Value.WaitingUrl))}",
            $"CONTROL_PASSWORD {Set(!string.IsNullOrEmpty(c.Password))}",
            $"CONTROL_TOKEN {Set(!string.IsNullOrEmpty(c.Token))}",
            $"TRUSTED_PROXIES {Set(c.TrustedProxyList.Count > 0)}");
        Log.Summary(logger, path, listening, t.BaseUrl, settings);

        if (Uri.TryCreate(t.BaseUrl, UriKind.Absolute, out var baseUrl) && baseUrl.AbsolutePath.TrimEnd('/') != "/v2")
        {
            Log.BaseUrlPath(logger, t.BaseUrl, baseUrl.AbsolutePath);
        }

        if (string.IsNullOrWhiteSpace(conference.Value.WaitingUrl))
        {
            Log.NoWaitingUrl(logger);
        }
    }

    private static partial class Log
    {
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
