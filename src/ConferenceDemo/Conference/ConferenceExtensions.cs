using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Conference;

public static class ConferenceExtensions
{
    public static IHostApplicationBuilder AddConference(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConferenceOptions>()
            .BindConfiguration(ConferenceOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConferenceOptions>, ConferenceOptionsValidator>();

        builder.Services.TryAddSingleton<IConferenceStore, InMemoryConferenceStore>();
        builder.Services.AddSingleton<ConferenceSequencer>();
        builder.Services.AddSingleton<ConferenceRooms>();
        builder.Services.AddSingleton<ConferenceEvents>();
        builder.Services.AddSingleton<ConferenceControl>();
        builder.Services.AddHostedService<ConferenceDrain>();
        return builder;
    }

    /// <summary>On shutdown, finishes the events already accepted before the process exits.</summary>
    private sealed class ConferenceDrain(ConferenceSequencer sequencer) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            try
            {
                await sequencer.WhenIdleAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // The host's shutdown timeout ran out first; what is left is abandoned.
            }
        }
    }
}
