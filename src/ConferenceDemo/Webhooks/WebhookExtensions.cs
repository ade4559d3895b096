using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Webhooks;

public static class WebhookExtensions
{
    public static IHostApplicationBuilder AddTelnyxWebhooks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<WebhookOptions>, WebhookOptionsValidator>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<WebhookRejections>();
        builder.Services.AddSingleton<WebhookAuthenticator>();
        builder.Services.AddHostedService<WebhookModeReport>();
        return builder;
    }

    private sealed class WebhookModeReport(WebhookAuthenticator authenticator) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            authenticator.ReportMode();
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
