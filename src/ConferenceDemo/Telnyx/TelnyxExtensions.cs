using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Telnyx;

public static partial class TelnyxExtensions
{
    public static IHostApplicationBuilder AddTelnyxClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TelnyxOptions>()
            .BindConfiguration(TelnyxOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelnyxOptions>, TelnyxOptionsValidator>();
        builder.Services.AddTransient<TelnyxAuthHandler>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<TelnyxKeyWarning>();

        builder.Services.AddHttpClient<TelnyxClient>((services, http) =>
            {
                var options = services.GetRequiredService<IOptions<TelnyxOptions>>().Value;
                http.BaseAddress = new Uri(options.BaseUrl.TrimEnd('/') + "/");
                http.Timeout = Timeout.InfiniteTimeSpan; // the budget and each attempt's timeout: TelnyxResilience
            })
            .AddHttpMessageHandler<TelnyxAuthHandler>()
            .AddTelnyxResilience();

        return builder;
    }

    /// <summary>A missing API key does not stop the server (so a fresh clone runs); it is said once at start.</summary>
    private sealed partial class TelnyxKeyWarning(IOptions<TelnyxOptions> options, ILogger<TelnyxKeyWarning> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            if (!options.Value.HasApiKey)
            {
                MissingKey(logger);
            }

            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        [LoggerMessage(EventId = 1100, EventName = "TelnyxApiKeyMissing", Level = LogLevel.Warning, Message = "TELNYX_API_KEY is not set: the server runs, but every Telnyx command will fail until it is set (see .env.example)")]
        private static partial void MissingKey(ILogger logger);
    }
}
