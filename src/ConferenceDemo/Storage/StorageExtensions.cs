using ConferenceDemo.Hosting;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Storage.InMemory;
using ConferenceDemo.Storage.Postgres;
using ConferenceDemo.Storage.Sqlite;
using ConferenceDemo.Webhooks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ConferenceDemo.Storage;

public static partial class StorageExtensions
{
    /// <summary>
    /// The room store, inbox, outbox, room feed and catalog of API-created rooms of the provider Storage:Provider names
    /// (sqlite by default), the schema upgrade at start, and the housekeeping job.
    /// </summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        builder.Services.AddSingleton<RoomStorage>();
        builder.Services.AddSingleton<IRoomStore>(sp => sp.GetRequiredService<RoomStorage>().Store);
        builder.Services.AddSingleton<IRoomJournal>(sp => sp.GetRequiredService<RoomStorage>().Journal);
        builder.Services.AddSingleton<IRoomFeed>(sp => sp.GetRequiredService<RoomStorage>().Feed);
        builder.Services.AddSingleton<IRoomCatalog>(sp => sp.GetRequiredService<RoomStorage>().Catalog);
        builder.Services.AddHostedService<StorageStart>();
        builder.Services.AddHostedService<Housekeeping>();
        return builder;
    }

    /// <summary>Opens the configured provider once (creating or upgrading its schema) and owns what it opened.</summary>
    internal sealed partial class RoomStorage : IAsyncDisposable
    {
        private readonly List<IAsyncDisposable> _owned = [];

        public RoomStorage(IOptions<StorageOptions> options, TimeProvider clock, ILoggerFactory loggers)
        {
            var settings = options.Value;
            Kind = settings.Kind;
            var connectionString = settings.EffectiveConnectionString;
            Described = Kind == StorageProvider.Memory ? "memory (nothing survives a restart)" : $"{Kind.ToString().ToLowerInvariant()}: {StorageOptions.Redact(connectionString)}";
            try
            {
                switch (Kind)
                {
                    case StorageProvider.Sqlite:
                        var sqlite = new SqliteRoomStore(connectionString, clock);
                        _owned.Add(sqlite);
                        (Store, Journal, Feed, Catalog) = (sqlite, sqlite, new InMemoryRoomFeed(), new SqliteRoomCatalog(sqlite));
                        break;
                    case StorageProvider.Postgres:
                        var db = NpgsqlDataSource.Create(connectionString);
                        var postgres = new PostgresRoomStore(db, clock);
                        var feed = new PostgresRoomFeed(db, loggers.CreateLogger<PostgresRoomFeed>());
                        _owned.AddRange([feed, postgres, db]);
                        (Store, Journal, Feed, Catalog) = (postgres, postgres, feed, new PostgresRoomCatalog(db));
                        break;
                    default:
                        var memory = new InMemoryRoomStore(clock);
                        (Store, Journal, Feed, Catalog) = (memory, memory, new InMemoryRoomFeed(), new InMemoryRoomCatalog());
                        break;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Stops the server with one line; the connection string is shown without its password.
                throw new SettingsException($"{SettingNames.Describe("Storage:ConnectionString")}: the store ({Described}) cannot be opened: {ex.Message}");
            }
        }

        public StorageProvider Kind { get; }

        /// <summary>The provider and its connection string without the password: for the log.</summary>
        public string Described { get; }

        public IRoomStore Store { get; }

        public IRoomJournal Journal { get; }

        public IRoomFeed Feed { get; }

        /// <summary>The rooms created through the API, kept where the rooms are.</summary>
        public IRoomCatalog Catalog { get; }

        public async ValueTask DisposeAsync()
        {
            foreach (var owned in _owned)
            {
                await owned.DisposeAsync();
            }
        }
    }

    /// <summary>Opens the store while the server starts, so a store that cannot be opened stops it before it listens.</summary>
    private sealed partial class StorageStart(RoomStorage storage, ILogger<StorageStart> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            Log.Opened(logger, storage.Described);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        private static partial class Log
        {
            [LoggerMessage(1500, LogLevel.Information, "Storage: {Store}", EventName = "StorageOpened")]
            public static partial void Opened(ILogger logger, string store);
        }
    }

    /// <summary>
    /// Every Storage:HousekeepingMinutes: forgets applied event ids older than the dedupe window (Webhooks:DedupeHours)
    /// and answered commands and room events older than a day.
    /// </summary>
    internal sealed partial class Housekeeping(IRoomJournal journal, IOptions<StorageOptions> storage, IOptions<WebhookOptions> webhooks,
        TimeProvider clock, ILogger<Housekeeping> logger) : BackgroundService
    {
        public static readonly TimeSpan OutboxRetention = TimeSpan.FromDays(1);

        public async Task<(int Events, int Commands)> RunOnceAsync(CancellationToken ct)
        {
            var now = clock.GetUtcNow();
            var removed = await journal.RemoveOldAsync(now - TimeSpan.FromHours(webhooks.Value.DedupeHours), now - OutboxRetention, ct);
            if (removed.Events + removed.Commands > 0)
            {
                Log.Removed(logger, removed.Events, removed.Commands);
            }

            return removed;
        }

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMinutes(storage.Value.HousekeepingMinutes), clock);
            try
            {
                while (await timer.WaitForNextTickAsync(stoppingToken))
                {
                    try
                    {
                        await RunOnceAsync(stoppingToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        Log.Failed(logger, ex);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
            }
        }

        private static partial class Log
        {
            [LoggerMessage(1501, LogLevel.Information, "Housekeeping removed {Events} old event id(s) and {Commands} answered command(s)", EventName = "HousekeepingRemoved")]
            public static partial void Removed(ILogger logger, int events, int commands);

            [LoggerMessage(1502, LogLevel.Warning, "Housekeeping failed; it runs again at the next interval", EventName = "HousekeepingFailed")]
            public static partial void Failed(ILogger logger, Exception exception);
        }
    }
}
