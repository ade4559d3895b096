namespace ConferenceDemo.Bench;

/// <summary>What every measured part shares: the options, the report, the published server, the fake Telnyx, the signer.</summary>
internal sealed class BenchContext : IAsyncDisposable
{
    /// <summary>Rooms r0 … r{n-1} configured on every server, reached by <see cref="SignedEvents.RoomNumber"/>.</summary>
    public const int ConfiguredRooms = 1000;

    private int _nextCall = 10_000_000;
    private IReadOnlyList<Store>? _stores;

    private BenchContext(BenchOptions options, string root, Report report, string serverDll, SignedEvents events, FakeTelnyx telnyx)
    {
        Options = options;
        Root = root;
        Report = report;
        ServerDll = serverDll;
        Events = events;
        Telnyx = telnyx;
    }

    public BenchOptions Options { get; }

    public string Root { get; }

    public Report Report { get; }

    public string ServerDll { get; }

    public string BenchDll => typeof(BenchContext).Assembly.Location;

    public SignedEvents Events { get; }

    public FakeTelnyx Telnyx { get; }

    /// <summary>Where the report (and its chart) goes: docs/ for a full run, a temp folder for --quick.</summary>
    public string ReportFolder => Options.Quick ? Path.Combine(Path.GetTempPath(), "conferencedemo-bench") : Path.Combine(Root, "docs");

    public static async Task<BenchContext> StartAsync(BenchOptions options)
    {
        var root = Repository.Root();
        var report = new Report(root);
        Console.WriteLine($"ConferenceDemo benchmark: {report.Machine}");

        // The server, built in Release as the Dockerfile builds it.
        var publish = Path.Combine(root, "bench", ".out", "server");
        Repository.Run("dotnet", ["publish", Path.Combine(root, "src", "ConferenceDemo", "ConferenceDemo.csproj"), "-c", "Release", "-o", publish, "--nologo", "-v", "q"]);
        var events = new SignedEvents(Path.Combine(root, "tests", "ConferenceDemo.Tests", "Fixtures", "webhooks"));
        var telnyx = await FakeTelnyx.StartAsync();
        if (options.Quick)
        {
            telnyx.QuietFor = TimeSpan.FromMilliseconds(200);
        }
        if (options.LogLevel is not null)
        {
            report.Settings = $"Serilog__MinimumLevel__Default={options.LogLevel}";
        }

        foreach (var pair in options.ServerEnv)
        {
            report.Settings += $", {pair}";
        }

        return new BenchContext(options, root, report, Path.Combine(publish, "ConferenceDemo.dll"), events, telnyx);
    }

    /// <summary>Every store this machine can run (started on first use, stopped at the end).</summary>
    public IReadOnlyList<Store> Stores => _stores ??= Store.Available(Report);

    /// <summary>The in-memory store, for parts about the process rather than the store.</summary>
    public Store Memory => Stores[0];

    /// <summary>A block of call numbers no other part uses, so every leg and event id is new.</summary>
    public int Calls(int count) => Interlocked.Add(ref _nextCall, count) - count;

    /// <summary>
    /// The server (or the one built at <paramref name="serverDll"/>) on <paramref name="store"/>'s fresh database with
    /// the bench's settings and <paramref name="extra"/>.
    /// </summary>
    public Task<ServerProcess> StartServerAsync(Store store, IReadOnlyDictionary<string, string>? extra = null, string? serverDll = null)
    {
        var environment = new Dictionary<string, string>
        {
            ["TELNYX_API_KEY"] = "bench-key",
            ["TELNYX_BASE_URL"] = Telnyx.BaseUrl,
            ["TELNYX_PUBLIC_KEY"] = Events.PublicKeyBase64,
            ["TELNYX_PHONE_NUMBER"] = SignedEvents.DefaultNumber,
            ["TELNYX_CONNECTION_ID"] = "1234567890",
            ["CONTROL_TOKEN"] = "bench-control-token-0123456789",
            ["Webhooks__DedupeCapacity"] = "2000000",
        };
        for (var room = 0; room < ConfiguredRooms; room++)
        {
            environment[$"Rooms__r{room}__DialIn"] = SignedEvents.RoomNumber(room);
        }

        foreach (var (name, value) in store.Fresh())
        {
            environment[name] = value;
        }

        if (Options.LogLevel is not null)
        {
            environment["Serilog__MinimumLevel__Default"] = Options.LogLevel;
        }

        foreach (var pair in Options.ServerEnv)
        {
            var at = pair.IndexOf('=', StringComparison.Ordinal);
            environment[pair[..at]] = pair[(at + 1)..];
        }

        foreach (var (name, value) in extra ?? new Dictionary<string, string>())
        {
            environment[name] = value;
        }

        return ServerProcess.StartAsync(serverDll ?? ServerDll, [], environment);
    }

    /// <summary>Runs one part when --only allows it; a part that throws is reported as failed and the run goes on.</summary>
    public async Task RunAsync(string part, Func<BenchContext, Task> measure)
    {
        if (!Options.Runs(part))
        {
            return;
        }

        Console.WriteLine($"== {part}");
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            await measure(this);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Report.Failed(part, e);
        }

        Console.WriteLine($"== {part}: {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:0} s");
    }

    /// <summary>Writes the report (unless --only) and gives the exit code: 1 when a part failed.</summary>
    public int Finish()
    {
        if (Options.Only is null)
        {
            Report.Write(Path.Combine(ReportFolder, "benchmarks.md"));
        }

        Console.WriteLine(Report.Failures == 0 ? "bench: every part ran" : $"bench: {Report.Failures} part(s) failed");
        return Report.Failures == 0 ? 0 : 1;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var store in _stores ?? [])
        {
            await store.DisposeAsync();
        }

        await Telnyx.DisposeAsync();
    }
}
