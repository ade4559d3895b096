using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// A throwaway PostgreSQL cluster for the tests: initdb and pg_ctl in a temporary folder, listening on 127.0.0.1 on a
/// free port, stopped and deleted after the last test of the collection. As root, the tools run as the postgres user
/// (initdb refuses root). When PostgreSQL is not installed the tests fail and say what to install.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string Install = "the PostgreSQL tests need PostgreSQL's server binaries (Debian: apt-get install -y postgresql)";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"conferencedemo-pg-{Guid.NewGuid():N}");
    private string? _bin;
    private int _databases;

    public int Port { get; private set; }

    /// <summary>A connection string to a new, empty database of its own.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..30];
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Password=not-a-real-secret;Database={database};Pooling=true;Timeout=15";

    public async Task InitializeAsync()
    {
        _bin = FindBinaries() ?? throw new InvalidOperationException($"{Install}: initdb was not found on PATH or under /usr/lib/postgresql/*/bin");
        Port = FreePort();
        Directory.CreateDirectory(_folder);
        var asPostgres = Environment.UserName == "root";
        if (asPostgres)
        {
            await RunAsync("chown", ["postgres", _folder], asPostgres: false);
        }

        var data = Path.Combine(_folder, "data");
        await RunAsync(Path.Combine(_bin, "initdb"), ["-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"], asPostgres);
        await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {_folder} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start"], asPostgres);
    }

    public async Task DisposeAsync()
    {
        if (_bin is not null && Directory.Exists(Path.Combine(_folder, "data")))
        {
            await RunAsync(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_folder, "data"), "-m", "immediate", "-w", "stop"],
                Environment.UserName == "root", throwOnFailure: false);
        }

        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string? FindBinaries()
    {
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
            .FirstOrDefault(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl")));
        if (onPath is not null)
        {
            return onPath;
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(v => Path.Combine(v, "bin"))
                .Where(b => File.Exists(Path.Combine(b, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
    }

    private async Task RunAsync(string tool, string[] arguments, bool asPostgres, bool throwOnFailure = true)
    {
        var info = asPostgres ? new ProcessStartInfo("runuser", ["-u", "postgres", "--", tool, .. arguments]) : new ProcessStartInfo(tool, arguments);
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        info.WorkingDirectory = _folder;
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{Install}: {tool} could not be started");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0 && throwOnFailure)
        {
            var log = Path.Combine(_folder, "server.log");
            throw new InvalidOperationException($"{Install}. {Path.GetFileName(tool)} failed ({process.ExitCode}): {await output} {await errors}"
                + (File.Exists(log) ? await File.ReadAllTextAsync(log) : ""));
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
