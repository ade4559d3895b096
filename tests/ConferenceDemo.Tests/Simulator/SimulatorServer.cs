using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace ConferenceDemo.Tests.Simulator;

/// <summary>
/// The built server started as a process on a free 127.0.0.1 port with no Telnyx settings at all, as a new user runs
/// it: simulator mode, the simulator's webhooks going over HTTP to the server's real, signature-checking endpoint.
/// Short simulated delays keep the tests fast on the real clock.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    public const string Password = "simulator-test-password";
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private SimulatorServer(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
        Client = new HttpClient { BaseAddress = baseUrl, Timeout = TimeSpan.FromSeconds(30) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{Password}")));
    }

    public Uri BaseUrl { get; }

    /// <summary>Signed in as the owner (HTTP Basic), as curl -u is.</summary>
    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public string TuneUrl => new Uri(BaseUrl, "/simulator/media/tune.wav").ToString();

    public static async Task<SimulatorServer> StartAsync(Dictionary<string, string>? settings = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("conferencedemo-sim-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("TELNYX", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Telnyx__", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Simulator__", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("CONTROL_", StringComparison.OrdinalIgnoreCase) || k is "PORT").ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["CONTROL_PASSWORD"] = Password;
        info.Environment["CONTROL_RATE_LIMIT_PER_MINUTE"] = "100000";
        info.Environment["PULL_RATE_LIMIT_PER_MINUTE"] = "1000";
        info.Environment["Simulator__RingMilliseconds"] = "150";
        info.Environment["Simulator__SpeechCharactersPerSecond"] = "2000";
        info.Environment["Serilog__MinimumLevel__Default"] = "Information";
        foreach (var (name, value) in settings ?? [])
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        var server = new SimulatorServer(process, new Uri($"http://127.0.0.1:{port}/"));
        var listening = new TaskCompletionSource();
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            lock (server._output)
            {
                server._output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Now listening on: ", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var first = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (first != listening.Task)
        {
            await server.DisposeAsync();
            throw new InvalidOperationException($"the server did not start:\n{server.Output}");
        }

        return server;
    }

    /// <summary>POST /api/simulator/calls; the new call's call_control_id.</summary>
    public async Task<string> DialInAsync(string from)
    {
        using var response = await Client.PostAsJsonAsync("/api/simulator/calls", new { from });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("ringing", json.RootElement.GetProperty("state").GetString());
        return json.RootElement.GetProperty("call_control_id").GetString()!;
    }

    public async Task<HttpStatusCode> HangUpAsync(string callControlId)
    {
        using var response = await Client.PostAsync($"/api/simulator/calls/{Uri.EscapeDataString(callControlId)}/hangup", null);
        return response.StatusCode;
    }

    /// <summary>GET /api/simulator/calls, by call_control_id.</summary>
    public async Task<Dictionary<string, JsonElement>> CallsAsync()
    {
        var text = await Client.GetStringAsync("/api/simulator/calls");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.GetProperty("calls").EnumerateArray()
            .ToDictionary(c => c.GetProperty("call_control_id").GetString()!, c => c.Clone());
    }

    /// <summary>Polls GET /api/simulator/calls until <paramref name="condition"/> holds; fails with the last view after a generous wait.</summary>
    public async Task<Dictionary<string, JsonElement>> WaitForAsync(Func<Dictionary<string, JsonElement>, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        Dictionary<string, JsonElement> calls;
        do
        {
            calls = await CallsAsync();
            if (condition(calls))
            {
                return calls;
            }

            await Task.Delay(50);
        }
        while (DateTime.UtcNow < deadline);

        Assert.Fail($"timed out waiting for {what}; calls: {JsonSerializer.Serialize(calls)}\n{Output}");
        return calls;
    }

    /// <summary>One REST request the simulated Telnyx answered, with the first error code of a refusal.</summary>
    public sealed record Command(string Method, string Path, string Query, string Body, int Status, string? ErrorCode);

    /// <summary>GET /api/simulator/commands.</summary>
    public async Task<IReadOnlyList<Command>> CommandsAsync()
    {
        using var log = JsonDocument.Parse(await Client.GetStringAsync("/api/simulator/commands"));
        return [.. log.RootElement.GetProperty("commands").EnumerateArray().Select(c =>
        {
            using var reply = JsonDocument.Parse(c.GetProperty("reply").GetString()!);
            var code = reply.RootElement.TryGetProperty("errors", out var errors) ? errors[0].GetProperty("code").GetString() : null;
            return new Command(c.GetProperty("method").GetString()!, c.GetProperty("path").GetString()!, c.GetProperty("query").GetString()!,
                c.GetProperty("body").GetString()!, c.GetProperty("status").GetInt32(), code);
        })];
    }

    /// <summary>
    /// A command refused only because its leg hung up (422, 90018) or its conference ended (422, 90019) meanwhile, races
    /// Telnyx has too; or, when
    /// <paramref name="injected"/>, a failure the simulator was asked to inject.
    /// </summary>
    public static bool IsExpectedRefusal(Command command, bool injected = false) =>
        (command.Status == 422 && command.ErrorCode is "90018" or "90019") || (injected && command.Status is 500 or 429);

    public static string State(JsonElement call) => call.GetProperty("state").GetString()!;

    public static string? RoomOf(JsonElement call) => call.GetProperty("conference").GetString();

    public static string? Hearing(JsonElement call) => call.GetProperty("hearing").GetString();

    public static bool OnHold(JsonElement call) => call.GetProperty("on_hold").GetBoolean();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        try
        {
            Directory.Delete(_process.StartInfo.WorkingDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the exiting process; the temp folder is cleaned up later by the system.
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
