namespace ConferenceDemo.Bench;

/// <summary>The bench's command line.</summary>
internal sealed record BenchOptions(bool Quick, string? Only, string? LogLevel, IReadOnlyList<string> ServerEnv)
{
    /// <summary>The parts `--only` accepts, in the order a full run measures them.</summary>
    public static readonly string[] Parts = ["verification", "inbox", "idle", "ingest", "event", "growth", "profile"];

    /// <summary>
    /// --quick: seconds per part and tiny loads, the report to a temp folder (a check that the bench works);
    /// --only PART: one part, printed, no report; --log-level LEVEL: the server's Serilog minimum level;
    /// --server-env NAME=VALUE (repeatable): a setting for every server started.
    /// </summary>
    public static BenchOptions Parse(string[] args)
    {
        string? After(string flag) => args.SkipWhile(a => a != flag).Skip(1).FirstOrDefault();
        var only = After("--only");
        if (only is not null && !Parts.Contains(only))
        {
            throw new ArgumentException($"--only takes one of {string.Join(", ", Parts)}; not '{only}'.");
        }

        var serverEnv = args.Select((a, i) => (a, i)).Where(p => p.a == "--server-env" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
        if (serverEnv.FirstOrDefault(pair => !pair.Contains('=', StringComparison.Ordinal)) is { } bad)
        {
            throw new ArgumentException($"--server-env takes NAME=VALUE; not '{bad}'.");
        }

        return new BenchOptions(args.Contains("--quick"), only, After("--log-level"), serverEnv);
    }

    /// <summary>Seconds of each measured run.</summary>
    public int Seconds => Quick ? 1 : 10;

    public TimeSpan Warmup => TimeSpan.FromSeconds(Quick ? 1 : 15);

    public bool Runs(string part) => Only is null || Only == part;
}
