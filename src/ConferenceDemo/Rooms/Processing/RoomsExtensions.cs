using System.Runtime.InteropServices;
using ConferenceDemo.Storage.InMemory;
using ConferenceDemo.Telnyx;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Rooms.Processing;

public static partial class RoomsExtensions
{
    /// <summary>The rooms: their settings, the processor and its ports (in-memory store and feed, Telnyx call control).</summary>
    public static IHostApplicationBuilder AddRooms(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ConferenceOptions>()
            .BindConfiguration(ConferenceOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConferenceOptions>, ConferenceOptionsValidator>();
        builder.Services.AddOptions<ProcessingOptions>()
            .BindConfiguration(ProcessingOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ProcessingOptions>, ProcessingOptionsValidator>();

        // The host waits a little longer than the drain, so the drain's own report is what ends a slow shutdown.
        builder.Services.AddOptions<HostOptions>().Configure<IOptions<ProcessingOptions>>((host, processing) =>
            host.ShutdownTimeout = TimeSpan.FromSeconds(processing.Value.DrainTimeoutSeconds + 5));

        builder.Services.AddOptions<Dictionary<string, RoomOptions>>()
            .BindConfiguration(RoomOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<Dictionary<string, RoomOptions>>, RoomsValidator>();
        builder.Services.TryAddSingleton<IRoomCatalog, InMemoryRoomCatalog>();
        builder.Services.TryAddSingleton<InMemoryRoomStore>();
        builder.Services.TryAddSingleton<IRoomStore>(sp => sp.GetRequiredService<InMemoryRoomStore>());
        builder.Services.TryAddSingleton<IRoomJournal>(sp => sp.GetRequiredService<IRoomStore>() as IRoomJournal
            ?? sp.GetRequiredService<InMemoryRoomStore>());
        builder.Services.TryAddSingleton<IRoomFeed, InMemoryRoomFeed>();
        builder.Services.TryAddSingleton<ICallControl, TelnyxCallControl>();
        builder.Services.AddSingleton<RoomDirectory>();
        builder.Services.AddSingleton<RoomProcessor>();
        builder.Services.AddSingleton<RoomInbox>();
        builder.Services.AddHostedService<RoomRecovery>();
        builder.Services.AddHostedService<RoomDrain>();
        return builder;
    }

    /// <summary>The settings' rooms: each valid, no number claimed twice, the default room left to the Conference section.</summary>
    private sealed class RoomsValidator(IOptions<ConferenceOptions> conference, IOptions<TelnyxOptions> telnyx, IConfiguration configuration)
        : IValidateOptions<Dictionary<string, RoomOptions>>
    {
        private static readonly string[] Booleans = ["JoinMuted", "WaitForModerator", "EndWhenModeratorLeaves", "AnnounceRecording"];
        private static readonly string[] Numbers = ["MaxParticipants", "MaxDurationMinutes"];

        public ValidateOptionsResult Validate(string? name, Dictionary<string, RoomOptions> rooms)
        {
            var failures = new List<string>();

            // The binder leaves a value it cannot convert at its default: such a value is named here instead.
            foreach (var room in configuration.GetSection(RoomOptions.SectionName).GetChildren())
            {
                foreach (var key in Booleans)
                {
                    if (room[key] is { Length: > 0 } raw && !bool.TryParse(raw, out _))
                    {
                        failures.Add($"Rooms__{room.Key}__{key}: must be true or false; it is '{raw}'.");
                    }
                }

                foreach (var key in Numbers)
                {
                    if (room[key] is { Length: > 0 } raw && !int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                    {
                        failures.Add($"Rooms__{room.Key}__{key}: must be a whole number; it is '{raw}'.");
                    }
                }
            }

            var claimed = new Dictionary<string, string>(StringComparer.Ordinal);
            if (telnyx.Value.PhoneNumber is { Length: > 0 } phone)
            {
                claimed[phone] = conference.Value.Name;
            }

            foreach (var (id, room) in rooms)
            {
                if (string.Equals(id, conference.Value.Name, StringComparison.OrdinalIgnoreCase))
                {
                    failures.Add($"Rooms__{id}: '{id}' is the default room (Conference__Name); it is set with the Conference__* and TELNYX_* settings.");
                    continue;
                }

                failures.AddRange(RoomOptionsRules.Problems(id, room).Select(p =>
                    $"{(p.Field == "id" ? $"Rooms__{id}" : $"Rooms__{id}__{Setting(p.Field)}")}: {p.Message}."));
                foreach (var number in room.DialInNumbers)
                {
                    if (!claimed.TryAdd(number, id))
                    {
                        failures.Add($"Rooms__{id}__DialIn: {number} already reaches room '{claimed[number]}'.");
                    }
                }
            }

            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }

        /// <summary>"moderator_pin" as the setting's own name, "ModeratorPin".</summary>
        private static string Setting(string field) => string.Concat(field.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));
    }

    /// <summary>
    /// On SIGTERM or Ctrl+C, lets the accepted events and the commands on their way finish, up to the drain timeout;
    /// what is left then is named in the log. A second Ctrl+C (or SIGTERM) stops waiting at once.
    /// </summary>
    private sealed partial class RoomDrain(
        RoomProcessor processor,
        IOptions<ProcessingOptions> options,
        IHostApplicationLifetime lifetime,
        TimeProvider clock,
        ILogger<RoomDrain> logger) : IHostedService, IDisposable
    {
        private readonly CancellationTokenSource _hurry = new();
        private readonly List<PosixSignalRegistration> _signals = [];

        public Task StartAsync(CancellationToken cancellationToken)
        {
            foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            {
                _signals.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    if (lifetime.ApplicationStopping.IsCancellationRequested)
                    {
                        context.Cancel = true;
                        Log.Hurried(logger, context.Signal.ToString());
                        _hurry.Cancel();
                    }
                }));
            }

            return Task.CompletedTask;
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            var timeout = TimeSpan.FromSeconds(options.Value.DrainTimeoutSeconds);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _hurry.Token);
            var started = clock.GetTimestamp();
            var idle = processor.WhenIdleAsync();
            var gaveUp = Task.Delay(timeout, stop.Token);

            // Then on to the thread pool: the wait may end inside the timer's or the token's callback that completed
            // it, and what follows cancels tokens and stops the host.
            var first = await Task.WhenAny(idle, gaveUp);
            await Task.Yield();
            if (first == idle)
            {
                Log.Drained(logger, clock.GetElapsedTime(started).TotalMilliseconds);
                return;
            }

            var (inputs, commands, calls) = processor.Unfinished();
            Log.Abandoned(logger, inputs, commands, calls.Count == 0 ? "none" : string.Join(", ", calls.Take(20)),
                _hurry.IsCancellationRequested ? "a second signal" : $"the drain timeout ({timeout.TotalSeconds:0} s, Processing:DrainTimeoutSeconds)");
            processor.Abandon();
        }

        public void Dispose()
        {
            // The token source is left to the collector: a late signal may still cancel it.
            foreach (var signal in _signals)
            {
                signal.Dispose();
            }
        }

        private static partial class Log
        {
            [LoggerMessage(1410, LogLevel.Information, "Shutdown: every accepted event applied, every command answered ({ElapsedMs:0} ms)", EventName = "Drained")]
            public static partial void Drained(ILogger logger, double elapsedMs);

            [LoggerMessage(1411, LogLevel.Error, "Shutdown stopped waiting after {Why}: {Inputs} input(s) not applied and {Commands} command(s) unanswered; calls: {Calls}", EventName = "DrainAbandoned")]
            public static partial void Abandoned(ILogger logger, int inputs, int commands, string calls, string why);

            [LoggerMessage(1412, LogLevel.Warning, "{Signal} again during shutdown: not waiting for the rest", EventName = "DrainHurried")]
            public static partial void Hurried(ILogger logger, string signal);
        }
    }
}
