using System.Globalization;
using ConferenceDemo.Hosting;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Webhooks;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Simulator;

public static partial class SimulatorExtensions
{
    /// <summary>The API key the typed client sends to the simulator: never a real one.</summary>
    public const string PlaceholderApiKey = "KEYSIMULATOR_not_a_real_telnyx_key";

    /// <summary>The Call Control application id of the simulated account, when TELNYX_CONNECTION_ID is not set.</summary>
    public const string PlaceholderConnectionId = "1494404757140276705";

    /// <summary>
    /// Decides the mode (TELNYX_SIMULATOR, TELNYX_API_KEY) and, when it is on, puts a simulated Telnyx in this process:
    /// the typed client's requests go to its REST mount, a placeholder API key (and number and application id,
    /// when unset) is used, the webhook key the server
    /// trusts is the simulator's, and, when TELNYX_WAITING_URL is blank, the simulator's tune is the hold music.
    /// </summary>
    public static IHostApplicationBuilder AddTelnyxSimulator(this IHostApplicationBuilder builder)
    {
        // Everything below is registered whatever the mode, and each part asks the mode when it runs: the mode is
        // decided from the final configuration (which a test host completes only when the app is built).
        builder.Services.AddSingleton(services => SimulatorMode.From(services.GetRequiredService<IConfiguration>()));
        builder.Services.AddOptions<SimulatorOptions>()
            .BindConfiguration(SimulatorOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<SimulatorOptions>, SimulatorOptionsValidator>();
        builder.Services.AddHostedService<SimulatorModeReport>();
        builder.Services.AddHealthChecks().AddCheck<SimulatorReadiness>("simulator", tags: [Readiness.ReadyTag]);

        builder.Services.AddSingleton(services =>
            new SimulatorAddress(services.GetRequiredService<IServer>(), ConfiguredUrls(services.GetRequiredService<IConfiguration>())));
        builder.Services.AddSingleton<SimulatorSigner>();
        builder.Services.AddSingleton(services =>
        {
            var seed = services.GetRequiredService<IOptions<SimulatorOptions>>().Value.Seed;
            return new SimulatorRandom(seed is { } value ? new Random(value) : new Random());
        });
        builder.Services.AddSingleton(services =>
        {
            var address = services.GetRequiredService<SimulatorAddress>();
            return new SimulatorMedia(() => address.Current, services.GetRequiredService<TimeProvider>());
        });
        builder.Services.AddSingleton<SimulatorWebhookQueue>();
        builder.Services.AddSingleton<ISimulatorWebhookSink>(services => services.GetRequiredService<SimulatorWebhookQueue>());
        builder.Services.AddSingleton(services => new SimulatedTelnyx(
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<IOptions<SimulatorOptions>>().Value,
            services.GetRequiredService<SimulatorMedia>(),
            services.GetRequiredService<ISimulatorWebhookSink>(),
            services.GetRequiredService<IOptions<TelnyxOptions>>().Value.ConnectionId ?? PlaceholderConnectionId));
        builder.Services.AddSingleton(_ => TelnyxRequestSchemas.Load());
        builder.Services.AddSingleton<SimulatorCommandLog>();
        SimulatorApiKeyHandler.Register(builder.Services);
        builder.Services.AddHostedService<WebhookDelivery>();
        builder.Services.AddHttpClient(WebhookDelivery.HttpClientName, http => http.Timeout = TimeSpan.FromSeconds(10));

        // The real client, its retries and its bodies, sent to the simulator at the address the server listens on.
        builder.Services.AddTransient<SimulatorRoutingHandler>();
        builder.Services.AddHttpClient<TelnyxClient>().AddHttpMessageHandler<SimulatorRoutingHandler>();
        builder.Services.AddOptions<TelnyxOptions>().PostConfigure<SimulatorMode>((telnyx, mode) =>
        {
            if (!mode.IsOn)
            {
                return;
            }

            telnyx.ApiKey = PlaceholderApiKey;

            // So pull works on a fresh clone: the simulated account's number and application stand in for unset ones.
            if (string.IsNullOrWhiteSpace(telnyx.PhoneNumber))
            {
                telnyx.PhoneNumber = SimulatorApi.PlaceholderNumber;
            }

            if (string.IsNullOrWhiteSpace(telnyx.ConnectionId))
            {
                telnyx.ConnectionId = PlaceholderConnectionId;
            }
        });
        builder.Services.AddOptions<WebhookOptions>().PostConfigure<SimulatorMode, IServiceProvider>((webhooks, mode, services) =>
        {
            // A malformed TELNYX_PUBLIC_KEY is left for the check at start to report; any other is replaced by the
            // simulator's, whose signatures are the only ones arriving.
            if (mode.IsOn && (string.IsNullOrWhiteSpace(webhooks.PublicKey) || WebhookPublicKey.TryParse(webhooks.PublicKey, out _, out _)))
            {
                webhooks.PublicKey = services.GetRequiredService<SimulatorSigner>().PublicKeyBase64;
            }
        });
        builder.Services.AddOptions<ConferenceOptions>().PostConfigure<SimulatorMode, IConfiguration>((conference, mode, configuration) =>
        {
            if (mode.IsOn && string.IsNullOrWhiteSpace(conference.WaitingUrl))
            {
                conference.WaitingUrl = new Uri(Configured(configuration), SimulatorMedia.TunePath).ToString();
            }
        });
        return builder;
    }

    private static Uri Configured(IConfiguration configuration) =>
        SimulatorAddress.Loopback(ConfiguredUrls(configuration)) ?? new Uri("http://127.0.0.1:8081/");

    /// <summary>In simulator mode: Telnyx's REST API at /simulator/v2, its media, and the simulator API.</summary>
    public static WebApplication MapTelnyxSimulator(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<SimulatorMode>().IsOn)
        {
            return app;
        }

        app.MapSimulatorRest();
        app.MapSimulatorMedia();
        app.MapSimulatorApi();
        return app;
    }

    private static void MapSimulatorMedia(this IEndpointRouteBuilder app)
    {
        // Public, as the hold music and recording links Telnyx hands out are: a browser or a player fetches them.
        app.MapGet(SimulatorMedia.TunePath, () => Results.Bytes(SimulatorMedia.Tune(), "audio/wav")).ExcludeFromDescription();
        app.MapGet($"{SimulatorMedia.RecordingsPath}/{{file}}", (string file, SimulatorMedia media) =>
        {
            var token = Path.GetFileNameWithoutExtension(file);
            return Path.GetExtension(file) is ".wav" or ".mp3" && media.Resolve(token) is not null
                ? Results.Bytes(SimulatorMedia.Recording(), "audio/wav")
                : Results.Text("this recording link is unknown or has expired (links last 10 minutes); look the recording up again",
                    "text/plain; charset=utf-8", statusCode: StatusCodes.Status404NotFound);
        }).ExcludeFromDescription();
    }

    /// <summary>The address the settings ask the server to listen on: urls (--urls, ASPNETCORE_URLS), else PORT.</summary>
    private static string ConfiguredUrls(IConfiguration configuration)
    {
        var urls = configuration["urls"];
        if (!string.IsNullOrWhiteSpace(urls))
        {
            return urls;
        }

        var port = int.TryParse(configuration[SettingNames.Port], NumberStyles.None, CultureInfo.InvariantCulture, out var p) ? p : SettingNames.DefaultPort;
        return string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}");
    }

    /// <summary>Says loudly at start that Telnyx is simulated, and why, so nobody mistakes it for real calls.</summary>
    private sealed partial class SimulatorModeReport(SimulatorMode mode, ILogger<SimulatorModeReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (mode.IsOn)
            {
                SimulatorOn(logger, mode.Reason);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(1600, LogLevel.Warning, "TELNYX SIMULATOR MODE ({Reason}): Telnyx is simulated inside this server and no real call is made. " +
            "Dial pretend callers with POST /api/simulator/calls; set TELNYX_API_KEY (and TELNYX_SIMULATOR=false) to use Telnyx",
            EventName = "SimulatorModeOn")]
        private static partial void SimulatorOn(ILogger logger, string reason);
    }

    /// <summary>Ready, but /readyz says so: in simulator mode no call reaches a real phone.</summary>
    private sealed class SimulatorReadiness(SimulatorMode mode) : Microsoft.Extensions.Diagnostics.HealthChecks.IHealthCheck
    {
        public Task<Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult> CheckHealthAsync(
            Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(mode.IsOn
                ? Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Degraded($"simulator mode ({mode.Reason}): calls are simulated, none reaches Telnyx")
                : Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());
    }
}
