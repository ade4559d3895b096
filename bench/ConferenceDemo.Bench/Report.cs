using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ConferenceDemo.Bench;

/// <summary>The rows, notes and blocks of one run, written as Markdown with the machine, the commit and the date.</summary>
internal sealed class Report(string root)
{
    private readonly List<(string Section, string What, string Result, string Target)> _rows = [];
    private readonly List<string> _notes = [];
    private readonly List<(string Title, string Body)> _blocks = [];

    public (double Rate, Latencies FixedRate)? Reference { get; set; }

    /// <summary>The saturation rate of the Node.js reference (node-reference.js), when node is on the machine.</summary>
    public double? NodeRate { get; set; }

    public string Settings { get; set; } = "default settings (Information logging to the console)";

    public string Machine { get; } =
        $"{Environment.ProcessorCount} cores (nproc; {CpuModel()}), {MemoryGiB():0.0} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";

    /// <summary>Markdown put after the table, before the blocks (e.g. the growth chart).</summary>
    public List<string> Figures { get; } = [];

    public int Failures { get; private set; }

    public void Add(string section, string what, string result, string target)
    {
        _rows.Add((section, what, result, target));
        Console.WriteLine($"{section}: {what}: {result}");
    }

    public void Note(string note)
    {
        _notes.Add(note);
        Console.WriteLine($"note: {note}");
    }

    public void Block(string title, string body)
    {
        _blocks.Add((title, body));
        Console.WriteLine($"{title}:\n{body}");
    }

    public void Failed(string part, Exception e)
    {
        Failures++;
        Add(part, "FAILED", e.Message.Split('\n')[0].Replace('|', '/'), "–");
        Console.Error.WriteLine(e);
    }

    public void Ingest(string what, double rate, Latencies saturated, Latencies fixedRate, double cpuMicroseconds)
    {
        var ratio = Reference is { } reference ? $" ({rate / reference.Rate:P0} of the bare endpoint's {reference.Rate:0})" : "";
        var node = NodeRate is { } nodeRate ? $"; {rate / nodeRate:0.00} x the Node.js reference" : "";
        Add("Webhook ingest", $"{what}: saturation, 32 connections", $"{rate:0} req/s{ratio}{node}; p99 {saturated.Percentile(99):0.00} ms; {saturated.Errors} errors",
            NodeRate is null ? "–" : ">= 2 x the Node.js reference");
        Add("Webhook ingest", $"{what}: server CPU per webhook at saturation", $"{cpuMicroseconds:0} µs", "–");
        Add("Webhook ingest", $"{what}: at a fixed 1,000 webhooks/s (open loop)", fixedRate.Summary, "p99 < 5 ms");
    }

    public void Write(string path)
    {
        var commit = Repository.Run("git", ["rev-parse", "HEAD"]);
        var dirty = Repository.Run("git", ["status", "--porcelain", "--", "src", "bench"]).Length > 0 ? " (with uncommitted changes)" : "";
        var text = new StringBuilder()
            .AppendLine("# Benchmarks")
            .AppendLine()
            .AppendLine("Written by `dotnet run -c Release --project bench/ConferenceDemo.Bench` (the figures below come from one run of it;")
            .AppendLine("run it again to replace them). The notes after the table are kept in `bench/NOTES.md`.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"- date: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC")
            .AppendLine(CultureInfo.InvariantCulture, $"- commit: {commit}{dirty}")
            .AppendLine(CultureInfo.InvariantCulture, $"- machine: {Machine}")
            .AppendLine(CultureInfo.InvariantCulture, $"- server: published in Release, {Settings}, on 127.0.0.1, against a")
            .AppendLine("  fake Telnyx on 127.0.0.1 that answers at once; load from this program (C#, HttpClient) on the same machine")
            .AppendLine()
            .AppendLine("| area | what | result | target |")
            .AppendLine("| --- | --- | --- | --- |");
        foreach (var (section, what, result, target) in _rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {section} | {what} | {result} | {target} |");
        }

        if (_notes.Count > 0)
        {
            text.AppendLine();
            foreach (var note in _notes)
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
            }
        }

        foreach (var figure in Figures)
        {
            text.AppendLine().AppendLine(figure);
        }

        foreach (var (title, body) in _blocks)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"## {title}").AppendLine().AppendLine("```").AppendLine(body.TrimEnd()).AppendLine("```");
        }

        var notes = Path.Combine(root, "bench", "NOTES.md");
        if (File.Exists(notes))
        {
            text.AppendLine().Append(File.ReadAllText(notes));
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text.ToString());
        Console.WriteLine($"written: {path}");
    }

    private static string CpuModel() =>
        File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU";

    private static double MemoryGiB() =>
        long.Parse(File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
}
