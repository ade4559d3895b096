using System.Net;
using System.Net.Sockets;

namespace ConferenceDemo.Bench;

/// <summary>
/// A store the server can run on, set through STORAGE_PROVIDER and STORAGE_CONNECTION_STRING. Each server the bench
/// starts gets a fresh database, so no run sees another's rows.
/// </summary>
internal abstract class Store : IAsyncDisposable
{
    public abstract string Name { get; }

    /// <summary>The settings for a server on a database of its own.</summary>
    public abstract IReadOnlyDictionary<string, string> Fresh();

    public virtual ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <summary>Memory, SQLite in a temp folder, and PostgreSQL when its binaries are here (else a note says why not).</summary>
    public static IReadOnlyList<Store> Available(Report report)
    {
        var stores = new List<Store> { new MemoryStore(), new SqliteStore() };
        if (PostgresStore.Start(report) is { } postgres)
        {
            stores.Add(postgres);
        }

        return stores;
    }
}

internal sealed class MemoryStore : Store
{
    public override string Name => "memory";

    public override IReadOnlyDictionary<string, string> Fresh() => new Dictionary<string, string> { ["STORAGE_PROVIDER"] = "memory" };
}

internal sealed class SqliteStore : Store
{
    private readonly string _folder = Directory.CreateTempSubdirectory("conferencedemo-bench-sqlite-").FullName;
    private int _databases;

    public override string Name => "SQLite";

    public override IReadOnlyDictionary<string, string> Fresh() => new Dictionary<string, string>
    {
        ["STORAGE_PROVIDER"] = "sqlite",
        ["STORAGE_CONNECTION_STRING"] = $"Data Source={Path.Combine(_folder, $"bench-{Interlocked.Increment(ref _databases)}.db")}",
    };

    public override ValueTask DisposeAsync()
    {
        Directory.Delete(_folder, recursive: true);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A throwaway PostgreSQL cluster in a temp folder, run as the postgres user on a free 127.0.0.1 port.</summary>
internal sealed class PostgresStore : Store
{
    private readonly string _folder;
    private readonly int _port;
    private int _databases;

    private PostgresStore(string folder, int port)
    {
        _folder = folder;
        _port = port;
    }

    public override string Name => "PostgreSQL";

    public static PostgresStore? Start(Report report)
    {
        var initdb = Binary("initdb");
        if (initdb is null || Binary("pg_ctl") is null || Binary("createdb") is null)
        {
            report.Note("PostgreSQL: no initdb/pg_ctl/createdb on PATH or under /usr/lib/postgresql, so its rows are missing.");
            return null;
        }

        var folder = Directory.CreateTempSubdirectory("conferencedemo-bench-pg-").FullName;
        var port = FreePort();
        try
        {
            Repository.Run("chown", ["postgres:postgres", folder]);
            AsPostgres(initdb, ["-D", Path.Combine(folder, "data"), "--auth=trust", "-U", "postgres", "--no-sync"]);
            AsPostgres(Binary("pg_ctl")!, ["-D", Path.Combine(folder, "data"), "-l", Path.Combine(folder, "log"), "-w",
                "-o", $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=on", "start"]);
        }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            report.Note($"PostgreSQL: the throwaway cluster did not start, so its rows are missing ({e.Message.Split('\n')[0]}).");
            Directory.Delete(folder, recursive: true);
            return null;
        }

        return new PostgresStore(folder, port);
    }

    public override IReadOnlyDictionary<string, string> Fresh()
    {
        var database = $"bench{Interlocked.Increment(ref _databases)}";
        AsPostgres(Binary("createdb")!, ["-h", "127.0.0.1", "-p", $"{_port}", "-U", "postgres", database]);
        return new Dictionary<string, string>
        {
            ["STORAGE_PROVIDER"] = "postgres",
            ["STORAGE_CONNECTION_STRING"] = $"Host=127.0.0.1;Port={_port};Username=postgres;Database={database}",
        };
    }

    public override ValueTask DisposeAsync()
    {
        try
        {
            AsPostgres(Binary("pg_ctl")!, ["-D", Path.Combine(_folder, "data"), "-m", "fast", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_folder, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    private static string AsPostgres(string binary, IReadOnlyList<string> args) =>
        Repository.Run("runuser", ["-u", "postgres", "--", binary, .. args], workingDirectory: Path.GetTempPath());

    /// <summary>A PostgreSQL program on PATH, or in the newest /usr/lib/postgresql/N/bin.</summary>
    private static string? Binary(string name)
    {
        if (Repository.Has(name))
        {
            return (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(dir => Path.Combine(dir, name)).First(File.Exists);
        }

        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin", name)).Where(File.Exists).Order().LastOrDefault()
            : null;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
