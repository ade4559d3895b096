namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// Two servers on one fresh PostgreSQL database, as behind a load balancer, of one Telnyx account: both sign and
/// trust the same key, so a webhook posted to either verifies.
/// </summary>
public sealed class TwoInstances : IAsyncDisposable
{
    private TwoInstances()
    {
        One = new ConferenceDemoApplication();
        Two = new ConferenceDemoApplication(One.Signer);
    }

    public ConferenceDemoApplication One { get; }

    public ConferenceDemoApplication Two { get; }

    public static async Task<TwoInstances> StartAsync(PostgresServer server)
    {
        ArgumentNullException.ThrowIfNull(server);
        var pair = new TwoInstances();
        var connectionString = await server.CreateDatabaseAsync();
        foreach (var app in new[] { pair.One, pair.Two })
        {
            app.Settings["Storage:Provider"] = "postgres";
            app.Settings["Storage:ConnectionString"] = connectionString;
        }

        _ = pair.One.Server;
        _ = pair.Two.Server;
        return pair;
    }

    public async ValueTask DisposeAsync()
    {
        await One.DisposeAsync();
        await Two.DisposeAsync();
    }
}
