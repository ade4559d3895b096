using ConferenceDemo.Bench;

// `dotnet run -c Release --project bench/ConferenceDemo.Bench` measures the server and writes docs/benchmarks.md
// (and the growth chart beside it). --quick: every part once with tiny loads, the report to a temp folder, exit code
// 1 when a part failed. --only PART: one part, printed. `--bare --urls URL` is the reference server the run starts.
if (args.Contains("--bare"))
{
    return BareServer.Run(args);
}

await using var bench = await BenchContext.StartAsync(BenchOptions.Parse(args));
await bench.RunAsync("verification", Verification.RunAsync);
await bench.RunAsync("inbox", InboxMemory.RunAsync);
await bench.RunAsync("idle", IdleMemory.RunAsync);
await bench.RunAsync("ingest", Ingest.RunAsync);
await bench.RunAsync("event", EventToCommand.RunAsync);
await bench.RunAsync("growth", Growth.RunAsync);
await bench.RunAsync("profile", Profile.RunAsync);
return bench.Finish();
