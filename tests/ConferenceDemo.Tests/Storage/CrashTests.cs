using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Storage;

/// <summary>
/// The built server as a real process on a SQLite file, with Telnyx faked by an HTTP server inside the test: webhooks
/// in flight, kill -9, a restart on the same file. Nothing answered 200 is lost, nothing is applied twice, and every
/// logical command carries one command_id over all its sends.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private const int Callers = 20;
    private readonly string _folder = Directory.CreateTempSubdirectory("conferencedemo-crash-").FullName;
    private readonly WebhookSigner _signer = WebhookSigner.Generate();
    private readonly ConcurrentQueue<RecordedRequest> _telnyx = new();
    private WebApplication? _fakeTelnyx;
    private Uri _telnyxUrl = null!;
    private int _conferences;

    /// <summary>While set, Telnyx does not answer a create: it is on its way when the server is killed.</summary>
    private volatile TaskCompletionSource? _createsHeld = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _fakeTelnyx = builder.Build();
        _fakeTelnyx.Run(AnswerAsTelnyxAsync);
        await _fakeTelnyx.StartAsync();
        var address = _fakeTelnyx.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _telnyxUrl = new Uri(address);
    }

    public async Task DisposeAsync()
    {
        if (_fakeTelnyx is not null)
        {
            await _fakeTelnyx.DisposeAsync();
        }

        Directory.Delete(_folder, recursive: true);
    }

    private async Task AnswerAsTelnyxAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        var path = context.Request.Path.Value!;
        _telnyx.Enqueue(new RecordedRequest(new HttpMethod(context.Request.Method), path, body,
            context.Request.Headers.Authorization, context.Request.ContentType));
        context.Response.ContentType = "application/json";
        if (context.Request.Method == "GET")
        {
            await context.Response.WriteAsync("""{"data":[],"meta":{"page_number":1,"page_size":250,"total_pages":1,"total_results":0}}""");
            return;
        }

        if (path == "/v2/conferences" && _createsHeld is { } held)
        {
            await held.Task;
            context.Abort(); // the server that sent it is gone
            return;
        }

        await Task.Delay(20); // a Telnyx that takes a moment, so commands are on their way when the server dies
        await context.Response.WriteAsync(path == "/v2/conferences"
            ? $$$"""{"data":{"id":"conf-{{{Interlocked.Increment(ref _conferences)}}}","name":"myconf","record_type":"conference","status":"in_progress"}}"""
            : """{"data":{"result":"ok"}}""");
    }

    private sealed class Server(Process process, Uri url, StringBuilder output) : IDisposable
    {
        public Process Process => process;

        public HttpClient Http { get; } = new() { BaseAddress = url, Timeout = TimeSpan.FromSeconds(30) };

        public string Output
        {
            get
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }

        public void Dispose()
        {
            Http.Dispose();
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
            }

            process.Dispose();
        }
    }

    private async Task<Server> StartServerAsync()
    {
        var info = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("TELNYX", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("STORAGE", StringComparison.OrdinalIgnoreCase) || k is "PORT").ToList())
        {
            info.Environment.Remove(name);
        }

        info.Environment["TELNYX_API_KEY"] = ConferenceDemoApplication.ApiKey;
        info.Environment["TELNYX_BASE_URL"] = new Uri(_telnyxUrl, "/v2").ToString();
        info.Environment["TELNYX_PUBLIC_KEY"] = _signer.PublicKeyBase64;
        info.Environment["TELNYX_PHONE_NUMBER"] = ConferenceDemoApplication.PhoneNumber;
        info.Environment["TELNYX_WAITING_URL"] = ConferenceDemoApplication.WaitingUrl;
        info.Environment["CONTROL_PASSWORD"] = ConferenceDemoApplication.ControlPassword;
        info.Environment["STORAGE_PROVIDER"] = "sqlite";
        info.Environment["STORAGE_CONNECTION_STRING"] = $"Data Source={Path.Combine(_folder, "state", "rooms.db")}";

        var process = Process.Start(info)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            const string Marker = "Now listening on: ";
            if (e.Data is { } line && line.Contains(Marker, StringComparison.Ordinal))
            {
                listening.TrySetResult(new Uri(line[(line.IndexOf(Marker, StringComparison.Ordinal) + Marker.Length)..].Trim()));
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var started = await Task.WhenAny(listening.Task, process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(60)));
        if (started != listening.Task)
        {
            var text = output.ToString();
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"the server did not start:\n{text}");
        }

        var server = new Server(process, await listening.Task, output);
        server.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ConferenceDemoApplication.ControlUser}:{ConferenceDemoApplication.ControlPassword}")));
        return server;
    }

    private async Task<HttpStatusCode?> PostAsync(Server server, string body)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telnyx-conf-v2/start") { Content = content };
        request.Headers.TryAddWithoutValidation("telnyx-timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("telnyx-signature-ed25519", _signer.Sign(timestamp, bytes));
        try
        {
            using var response = await server.Http.SendAsync(request);
            return response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
        {
            return null; // the server died under it: Telnyx would deliver it again
        }
    }

    private static async Task<IReadOnlyList<string>> ParticipantsAsync(Server server)
    {
        var room = JsonNode.Parse(await server.Http.GetStringAsync("/api/rooms/myconf"))!;
        return [.. room["participants"]!.AsArray().Select(p => p!["call_control_id"]!.GetValue<string>()).Order(StringComparer.Ordinal)];
    }

    /// <summary>Waits until Telnyx has heard nothing new for a while (the server has settled).</summary>
    private async Task SettleAsync()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var last = -1;
        while (DateTime.UtcNow < deadline)
        {
            await Task.Delay(750);
            var count = _telnyx.Count;
            if (count == last)
            {
                return;
            }

            last = count;
        }
    }

    [Fact]
    public async Task KilledWithWebhooksInFlight_RestartedOnTheSameFile_LosesNothingAndDoublesNothing()
    {
        var legs = Enumerable.Range(1, Callers).Select(i => $"v3:crash-{i:00}").ToList();
        var events = legs.SelectMany((leg, i) => new[]
        {
            Initiated(leg, from: $"+1555000{i:0000}"),
            Answered(leg, $"+1555000{i:0000}"),
        }).ToList();
        var acknowledged = new ConcurrentDictionary<string, bool>();

        IReadOnlyList<string> seatedBeforeKill;
        using (var first = await StartServerAsync())
        {
            Assert.Empty(await ParticipantsAsync(first)); // warm: the read before the kill must be quick

            // Each caller's events in order (initiated, then answered), callers concurrently. Once armed, the first
            // answer kills the server on the spot (SIGKILL: no drain, no shutdown hooks).
            var killOnAnswer = 0;
            Task SendCallerAsync(int i, int delayMs) => Task.Run(async () =>
            {
                await Task.Delay(delayMs);
                foreach (var body in new[] { events[2 * i], events[(2 * i) + 1] })
                {
                    if (await PostAsync(first, body) == HttpStatusCode.OK)
                    {
                        acknowledged[body] = true;
                        if (Interlocked.CompareExchange(ref killOnAnswer, 2, 1) == 1)
                        {
                            first.Process.Kill(entireProcessTree: true);
                        }
                    }
                }
            });

            // The first half arrive over a few hundred milliseconds and are all answered; the first create is held by
            // Telnyx, so it is on its way at the kill.
            await Task.WhenAll(Enumerable.Range(0, Callers / 2).Select(i => SendCallerAsync(i, i * 30)));
            Assert.Equal(Callers, acknowledged.Count);
            var createSeen = Task.Run(async () =>
            {
                while (!_telnyx.Any(r => r.Path == "/v2/conferences"))
                {
                    await Task.Delay(5);
                }
            });
            await createSeen.WaitAsync(TimeSpan.FromSeconds(30));
            seatedBeforeKill = await ParticipantsAsync(first);

            // The second half at once; the server dies as the first of them is answered, with the rest in flight.
            killOnAnswer = 1;
            var burst = Enumerable.Range(Callers / 2, Callers / 2).Select(i => SendCallerAsync(i, 0)).ToList();
            await first.Process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
            var held = _createsHeld!;
            _createsHeld = null;
            held.SetResult();
            await Task.WhenAll(burst);
        }

        Assert.True(acknowledged.Count < events.Count, "every webhook was answered before the kill: nothing was in flight");
        var sentBeforeRestart = _telnyx.Count;

        using var second = await StartServerAsync();

        // Telnyx delivers again what was not answered 200, and one that was (a redelivery after a lost answer).
        foreach (var body in events.Where(e => !acknowledged.ContainsKey(e)))
        {
            Assert.Equal(HttpStatusCode.OK, await PostAsync(second, body));
        }

        await SettleAsync();
        var settled = _telnyx.Count;
        Assert.Equal(HttpStatusCode.OK, await PostAsync(second, acknowledged.Keys.First(k => k.Contains("call.answered", StringComparison.Ordinal))));
        await SettleAsync();
        Assert.True(settled == _telnyx.Count, $"a redelivered event was applied again:\n{string.Join("\n", _telnyx.Skip(settled))}");

        // Every caller is in the room, as seen through the API, including everyone seated before the kill.
        var seated = await ParticipantsAsync(second);
        Assert.Equal(legs, seated);
        Assert.Subset(seated.ToHashSet(), seatedBeforeKill.ToHashSet());

        // Each logical command (path and body without its command_id) was decided once, and kept its command_id over
        // every send, before the kill and after it.
        var sent = _telnyx.Where(r => r.Method == HttpMethod.Post).ToList();
        var logical = sent.GroupBy(r => (r.Path, Body: Expect.Logical(r)?.ToJsonString())).ToList();
        foreach (var command in logical.Where(g => Expect.CarriesCommandId(g.Key.Path)))
        {
            var ids = command.Select(r => r.Json!["command_id"]!.GetValue<string>()).Distinct().ToList();
            Assert.True(ids.Count == 1, $"{command.Key.Path} {command.Key.Body} was sent with {ids.Count} command_ids");
        }

        // The create was committed and unanswered at the kill: sent again at start, with the same command_id.
        var creates = Assert.Single(logical, g => g.Key.Path == "/v2/conferences");
        Assert.True(creates.Count() >= 2, $"the create was sent {creates.Count()} time(s)");
        Assert.Contains("Recovering from an earlier run", second.Output, StringComparison.Ordinal);
        foreach (var leg in legs)
        {
            // The fake Telnyx sees the path decoded (v3:… rather than v3%3A…).
            Assert.Single(logical, g => g.Key.Path == $"/v2/calls/{leg}/actions/answer");
            Assert.Single(logical, g => g.Key.Path == $"/v2/calls/{leg}/actions/speak");
        }

        Assert.Equal(Callers - 1, logical.Count(g => g.Key.Path.EndsWith("/actions/join", StringComparison.Ordinal)));
        Assert.True(sentBeforeRestart > 0);
        Assert.DoesNotContain("Password", second.Output, StringComparison.Ordinal);
    }
}
