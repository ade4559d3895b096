using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Telnyx;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace ConferenceDemo.Tests.Infrastructure;

/// <summary>
/// The server under test: test settings, a test Ed25519 key (webhooks are signed by <see cref="Signer"/>), a clock the
/// test controls, and a recording fake Telnyx at the HTTP boundary.
/// </summary>
public sealed class ConferenceDemoApplication : WebApplicationFactory<Program>
{
    public const string ApiKey = "test-api-key-not-real";
    public const string WaitingUrl = "https://example.com/waiting.mp3";
    public const string PhoneNumber = "+15559990000";
    public const string ConnectionId = "1234567890123456789";
    public const string ControlUser = "admin";
    public const string ControlPassword = "test-control-password";
    public const string ControlToken = "test-control-token-0123456789";

    public RecordingTelnyxHandler Telnyx { get; } = new();

    /// <summary>
    /// The server's clock. It moves only when a test advances it, or while <see cref="GetAsync"/> or
    /// <see cref="WhenIdleAsync"/> wait for the server (see <see cref="AdvancingAsync{T}"/>).
    /// </summary>
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeSeconds(1_800_000_000));

    public WebhookSigner Signer { get; }

    /// <summary>Every log event the server writes, at the level the settings let through.</summary>
    public LogCapture Log { get; } = new();

    /// <summary>Stand-ins a test puts in place of the server's own services, before the first request.</summary>
    public Action<IServiceCollection>? ReplaceServices { get; set; }

    /// <summary>Settings as configuration keys; a test may change them before the first request.</summary>
    public Dictionary<string, string?> Settings { get; }

    public ConferenceDemoApplication()
        : this(WebhookSigner.Generate())
    {
    }

    /// <summary>A server whose Telnyx account signs with <paramref name="signer"/> (another server's, to share one account).</summary>
    public ConferenceDemoApplication(WebhookSigner signer)
    {
        Signer = signer;
        Telnyx.Clock = Clock;
        Settings = new Dictionary<string, string?>
        {
            ["Telnyx:ApiKey"] = ApiKey,
            ["Telnyx:Simulator"] = "false",
            ["Telnyx:BaseUrl"] = "https://telnyx.test/v2",
            ["Telnyx:PhoneNumber"] = PhoneNumber,
            ["Telnyx:ConnectionId"] = ConnectionId,
            ["Conference:WaitingUrl"] = WaitingUrl,
            ["Webhooks:PublicKey"] = Signer.PublicKeyBase64,
            ["Control:Password"] = ControlPassword,
            ["Control:Token"] = ControlToken,
            ["Control:RequestsPerMinute"] = "10000",
            ["Control:PullsPerMinute"] = "10000",
            ["Serilog:MinimumLevel:Default"] = "Warning",
            ["Storage:Provider"] = "memory", // fast; the storage tests choose sqlite or postgres themselves
        };
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.ConfigureAppConfiguration(config => config.AddInMemoryCollection(Settings));
        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<TimeProvider>();
            services.AddSingleton<TimeProvider>(Clock);
            services.AddHttpClient<TelnyxClient>().ConfigurePrimaryHttpMessageHandler(() => Telnyx);
            services.AddSingleton<Serilog.Core.ILogEventSink>(Log);
            ReplaceServices?.Invoke(services);
        });
    }

    /// <summary>Posts a webhook signed now (by the test clock), or with the given headers when a test forges one.</summary>
    public Task<HttpResponseMessage> PostWebhookAsync(string body, string? timestamp = null, string? signature = null) =>
        PostWebhookAsync(Encoding.UTF8.GetBytes(body), timestamp, signature);

    public async Task<HttpResponseMessage> PostWebhookAsync(byte[] body, string? timestamp = null, string? signature = null)
    {
        timestamp ??= Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        signature ??= Signer.Sign(timestamp, body);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telnyx-conf-v2/start") { Content = content };
        request.Headers.TryAddWithoutValidation("telnyx-timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("telnyx-signature-ed25519", signature);
        return await CreateClient().SendAsync(request);
    }

    /// <summary>Posts a signed webhook, checks it was answered 200, and waits until the server has applied it.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> DeliverAsync(string body)
    {
        using var response = await PostWebhookAsync(body);
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        await WhenIdleAsync();
        return Telnyx.TakeNew();
    }

    /// <summary>
    /// Stops the host while moving the server's clock on, as <see cref="AdvancingAsync{T}"/> does. The Telnyx client's
    /// resilience pipeline, disposed with a command still on its way (one just abandoned by the drain), polls for that
    /// command on the server's clock, a second at a time for at most 30 s: on a clock that stands still, the host's
    /// synchronous disposal would wait without end. A host that still does not stop within 15 s is left to the
    /// process's exit, so that one test cannot stop the whole run.
    /// </summary>
    public override async ValueTask DisposeAsync()
    {
        var disposing = Task.Run(async () => await base.DisposeAsync());
        var cap = Task.Delay(TimeSpan.FromSeconds(15));
        while (!disposing.IsCompleted && !cap.IsCompleted)
        {
            Clock.Advance(Step);
            await Task.WhenAny(disposing, Task.Delay(1));
        }
    }

    /// <summary>Completes when every accepted event is applied and every command it caused has been answered.</summary>
    public async Task WhenIdleAsync() =>
        await AdvancingAsync(Services.GetRequiredService<RoomProcessor>().WhenIdleAsync().ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default));

    /// <summary>
    /// Waits for <paramref name="task"/> while moving the clock on in small steps, so the server's waits on it
    /// (retry backoff, attempt timeouts) run out as they would in real time, only faster.
    /// </summary>
    public async Task<T> AdvancingAsync<T>(Task<T> task)
    {
        while (!task.IsCompleted)
        {
            Clock.Advance(Step);
            await Task.WhenAny(task, Task.Delay(1));
        }

        return await task;
    }

    /// <summary>How far the clock moves at a time while a test waits for the server.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMilliseconds(20);

    /// <summary>A client signed in to the control routes with HTTP Basic, as the owner's browser or curl -u is.</summary>
    public HttpClient CreateControlClient()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ControlUser}:{ControlPassword}")));
        return client;
    }

    /// <summary>GET as the signed-in owner; the status and the body text.</summary>
    public async Task<(int Status, string Text)> GetAsync(string pathAndQuery)
    {
        using var client = CreateControlClient();
        using var response = await AdvancingAsync(client.GetAsync(pathAndQuery));
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public async Task<Room> RoomAsync() =>
        await Services.GetRequiredService<IRoomStore>().GetAsync("myconf") ?? Room.Create("myconf", Guid.Empty);
}

/// <summary>Expected outbound commands, written the way node-demo.md lists them.</summary>
public static class Expect
{
    public static (string Path, string Body) Answer(string ccid, string room = "myconf") =>
        (Call(ccid, "answer"), $$"""{"client_state":"{{ClientStateTag.Caller(room)}}"}""");

    public static (string Path, string Body) Hangup(string ccid) => (Call(ccid, "hangup"), "{}");

    public static (string Path, string Body) Speak(string ccid, string text) => (Call(ccid, "speak"),
        $$"""{"payload":"{{text}}","voice":"female","language":"en-GB"}""");

    public static (string Path, string Body) SpeakFirst(string ccid) => (Call(ccid, "speak"),
        """{"payload":"Welcome to this conference demo. Please wait for other participants to join. ","voice":"female","language":"en-GB"}""");

    public static (string Path, string Body) SpeakLater(string ccid) => (Call(ccid, "speak"),
        """{"payload":"Welcome to this conference demo. We are now putting you on the conference room. ","voice":"female","language":"en-GB"}""");

    public static (string Path, string Body) Create(string ccid) => ("/v2/conferences",
        $$"""{"call_control_id":"{{ccid}}","name":"myconf","client_state":"{{ClientStateTag.Seat("myconf")}}"}""");

    public static (string Path, string Body) Join(string conf, string ccid) => (Conference(conf, "join"),
        $$"""{"call_control_id":"{{ccid}}","client_state":"{{ClientStateTag.Seat("myconf")}}"}""");

    public static (string Path, string Body) Hold(string conf, string ccid) => (Conference(conf, "hold"),
        $$"""{"call_control_ids":["{{ccid}}"],"audio_url":"{{ConferenceDemoApplication.WaitingUrl}}"}""");

    public static (string Path, string Body) Unhold(string conf, string ccid) => (Conference(conf, "unhold"),
        $$"""{"call_control_ids":["{{ccid}}"]}""");

    public static (string Path, string Body) Mute(string conf, string ccid) => (Conference(conf, "mute"),
        $$"""{"call_control_ids":["{{ccid}}"]}""");

    public static (string Path, string Body) Unmute(string conf, string ccid) => (Conference(conf, "unmute"),
        $$"""{"call_control_ids":["{{ccid}}"]}""");

    public static (string Path, string Body) RecordStart(string ccid) => (Call(ccid, "record_start"), """{"format":"mp3","channels":"dual"}""");

    public static (string Path, string Body) RecordStop(string ccid) => (Call(ccid, "record_stop"), "{}");

    public static (string Path, string Body) Dial(string to) => ("/v2/calls",
        $$"""{"to":"{{to}}","from":"{{ConferenceDemoApplication.PhoneNumber}}","connection_id":"{{ConferenceDemoApplication.ConnectionId}}","client_state":"{{ClientStateTag.Dialed("myconf")}}"}""");

    public static string Call(string ccid, string action) => $"/v2/calls/{Uri.EscapeDataString(ccid)}/actions/{action}";

    public static string Conference(string conf, string action) => $"/v2/conferences/{Uri.EscapeDataString(conf)}/actions/{action}";

    /// <summary>Paths of the commands whose body Telnyx lets carry a command_id (see TelnyxRequests.cs).</summary>
    public static bool CarriesCommandId(string path) =>
        path is "/v2/calls" or "/v2/conferences" || path.EndsWith("/answer", StringComparison.Ordinal)
        || path.EndsWith("/hangup", StringComparison.Ordinal) || path.EndsWith("/speak", StringComparison.Ordinal)
        || path.EndsWith("/record_start", StringComparison.Ordinal) || path.EndsWith("/record_stop", StringComparison.Ordinal)
        || path.EndsWith("/record_pause", StringComparison.Ordinal) || path.EndsWith("/record_resume", StringComparison.Ordinal)
        || path.EndsWith("/join", StringComparison.Ordinal) || path.EndsWith("/gather_using_speak", StringComparison.Ordinal)
        || path.EndsWith("/actions/end", StringComparison.Ordinal);

    /// <summary>The body without its command_id, after checking it carries one exactly when Telnyx accepts one.</summary>
    public static JsonNode? Logical(RecordedRequest request)
    {
        var json = request.Json?.AsObject();
        if (json is null)
        {
            return null;
        }

        if (CarriesCommandId(request.Path))
        {
            Assert.True(Guid.TryParse(json["command_id"]?.GetValue<string>(), out _), $"{request.Path} has no command_id: {request.Body}");
            json.Remove("command_id");
        }
        else
        {
            Assert.False(json.ContainsKey("command_id"), $"{request.Path} must not carry a command_id: {request.Body}");
        }

        return json;
    }

    /// <summary>
    /// The requests are exactly these commands, in this order: POST, path, and JSON body (compared as JSON, its
    /// fresh command_id aside), with the bearer key.
    /// </summary>
    public static void Commands(IReadOnlyList<RecordedRequest> actual, params (string Path, string Body)[] expected)
    {
        Assert.True(expected.Length == actual.Count,
            $"expected {expected.Length} command(s), got {actual.Count}:\n  {string.Join("\n  ", actual)}");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(HttpMethod.Post, actual[i].Method);
            Assert.Equal(expected[i].Path, actual[i].Path);
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected[i].Body), Logical(actual[i])),
                $"body of {actual[i].Path}: expected {expected[i].Body}, got {actual[i].Body}");
            Assert.Equal($"Bearer {ConferenceDemoApplication.ApiKey}", actual[i].Authorization);
            Assert.Equal("application/json", actual[i].ContentType);
        }
    }
}
