namespace ConferenceDemo.Bench;

/// <summary>
/// RSS of a started, idle server under the GC settings it ships with (Server GC, which adapts its heap count to the
/// load, DATAS) and two alternatives, so the report shows what the choice costs at rest.
/// </summary>
internal static class IdleMemory
{
    private static readonly (string Name, Dictionary<string, string> Settings)[] Choices =
    [
        ("Server GC with DATAS (as shipped)", []),
        ("Server GC without DATAS (DOTNET_GCDynamicAdaptationMode=0)", new() { ["DOTNET_GCDynamicAdaptationMode"] = "0" }),
        ("workstation GC (DOTNET_gcServer=0)", new() { ["DOTNET_gcServer"] = "0" }),
    ];

    public static async Task RunAsync(BenchContext bench)
    {
        var settle = TimeSpan.FromSeconds(bench.Options.Quick ? 1 : 5);
        foreach (var (name, settings) in bench.Options.Quick ? Choices[..1] : Choices)
        {
            await using var server = await bench.StartServerAsync(bench.Memory, settings);
            await Task.Delay(settle);
            bench.Report.Add("Idle memory", $"RSS of a started, idle server: {name}", $"{server.RssMiB():0.0} MiB", "< 100 MB");
        }
    }
}
