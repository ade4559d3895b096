using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ConferenceDemo.Hosting;
using ConferenceDemo.Tests.Infrastructure;
using Serilog.Events;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Hosting;

/// <summary>What the server writes to its log: request lines, owner actions, rejections, and never a secret.</summary>
public sealed class LoggingTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync()
    {
        _app.Settings["Serilog:MinimumLevel:Default"] = "Debug";
        _app.Settings["Serilog:MinimumLevel:Override:Microsoft"] = "Debug";
        _app.Settings["Serilog:MinimumLevel:Override:System"] = "Debug";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static string Scalar(LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var v) && v is ScalarValue { Value: { } x } ? x.ToString()! : "";

    private static bool IsRequestLine(LogEvent e) => e.MessageTemplate.Text.StartsWith("HTTP ", StringComparison.Ordinal);

    [Fact]
    public async Task NoSecret_EverReachesTheLog_InEitherFormat()
    {
        const string WrongPassword = "wrong-password-9f8e7d";
        await FirstCallerOpensConferenceAsync(_app); // commands carry the API key to Telnyx
        Assert.Equal(200, (await _app.GetAsync("/telnyx-conf-v2/list")).Status); // Basic with the password
        Assert.Equal(200, (await _app.GetAsync($"/telnyx-conf-v2/mute?participant={Uri.EscapeDataString(A)}")).Status);

        using var bearer = _app.CreateClient();
        bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken);
        using (var ok = await bearer.GetAsync("/api/conference"))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var wrong = _app.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{WrongPassword}")));
        using (var refused = await wrong.GetAsync("/telnyx-conf-v2/list"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        using (var forged = await _app.PostWebhookAsync(Initiated("v3:forged"), signature: new string('A', 86) + "=="))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        }

        Assert.NotEmpty(_app.Log.Events);
        foreach (var format in new[] { LogFormat.Text, LogFormat.Json })
        {
            var output = _app.Log.Render(format);
            // The capture did see the requests.
            Assert.Contains(format == LogFormat.Text ? "HTTP GET /telnyx-conf-v2/list responded 200" : "\"RequestPath\":\"/telnyx-conf-v2/list\"", output);
            foreach (var secret in new[]
                     {
                         ConferenceDemoApplication.ApiKey, ConferenceDemoApplication.ControlPassword, ConferenceDemoApplication.ControlToken,
                         WrongPassword, _app.Signer.PublicKeyBase64,
                         Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{ConferenceDemoApplication.ControlPassword}")),
                     })
            {
                Assert.DoesNotContain(secret, output, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task AWebhook_GetsOneRequestLine_WithItsEventTypeEventIdAndCallControlId()
    {
        var body = Initiated("v3:line-check", from: FromA);
        var eventId = System.Text.Json.Nodes.JsonNode.Parse(body)!["data"]!["id"]!.GetValue<string>();
        using (var response = await _app.PostWebhookAsync(body))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await _app.WhenIdleAsync();
        var line = Assert.Single(_app.Log.Events, e => IsRequestLine(e) && Scalar(e, "RequestPath") == "/telnyx-conf-v2/start");
        Assert.Equal("POST", Scalar(line, "RequestMethod"));
        Assert.Equal("200", Scalar(line, "StatusCode"));
        Assert.True(line.Properties.ContainsKey("Elapsed"));
        Assert.Equal("call.initiated", Scalar(line, "EventType"));
        Assert.Equal(eventId, Scalar(line, "WebhookEventId"));
        Assert.Equal("v3:line-check", Scalar(line, "CallControlId"));
        Assert.Matches($@"\] Serilog\.AspNetCore\.RequestLoggingMiddleware: HTTP POST /telnyx-conf-v2/start responded 200 in [0-9.]+ ms: call\.initiated {eventId}, call_control_id v3:line-check\n",
            _app.Log.Render(LogFormat.Text));
    }

    [Fact]
    public async Task ANewlineInASignedField_CannotForgeALogLine()
    {
        // Ids are refused when they are not Telnyx ids; the event type is logged as it came.
        const string Forged = "call.x\n[1999-01-01 10:00:00.000 +00:00 INF] ConferenceDemo: Control pull by admin: done";
        var body = System.Text.Json.Nodes.JsonNode.Parse(Initiated(A))!;
        body["data"]!["event_type"] = Forged;
        using (var response = await _app.PostWebhookAsync(body.ToJsonString()))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await _app.WhenIdleAsync();
        var text = _app.Log.Render(LogFormat.Text);
        Assert.Contains("call.x\\n[1999-01-01", text);
        Assert.DoesNotContain("\n[1999-01-01", text);
    }

    [Fact]
    public async Task OwnerActions_LogWhoWhatToWhomAndTheOutcome_APullItsNumberAndNewCallId()
    {
        await FirstCallerOpensConferenceAsync(_app);

        Assert.Equal(200, (await _app.GetAsync($"/telnyx-conf-v2/mute?participant={Uri.EscapeDataString(A)}")).Status);
        Assert.Equal(404, (await _app.GetAsync("/telnyx-conf-v2/hold?participant=v3:nobody")).Status);
        Assert.Equal(200, (await _app.GetAsync("/telnyx-conf-v2/pull?number=%2B15557654321")).Status);

        var done = Assert.Single(_app.Log.WithEventId(1220));
        Assert.Equal($"Control \"mute\" by \"admin\" on participant \"{A}\" in room \"myconf\": done", done.RenderMessage());
        var failed = Assert.Single(_app.Log.WithEventId(1221));
        Assert.Equal("hold", Scalar(failed, "Action"));
        Assert.Equal("v3:nobody", Scalar(failed, "Participant"));
        Assert.Equal("UnknownParticipant", Scalar(failed, "Outcome"));
        var pull = Assert.Single(_app.Log.WithEventId(1222));
        Assert.Equal("admin", Scalar(pull, "User"));
        Assert.Equal("+15557654321", Scalar(pull, "Number"));
        Assert.Equal("v3:dialed-1", Scalar(pull, "CallControlId"));
    }

    [Fact]
    public async Task RejectedWebhooks_AreOneLinePerCause_NotOnePerRequest()
    {
        for (var i = 0; i < 20; i++)
        {
            using var response = await _app.PostWebhookAsync(Initiated($"v3:f{i}"), signature: new string('A', 86) + "==");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }

        Assert.Single(_app.Log.WithEventId(1030));
        var lines = _app.Log.Events.Where(e => IsRequestLine(e) && Scalar(e, "RequestPath") == "/telnyx-conf-v2/start").ToList();
        Assert.Equal(20, lines.Count);
        Assert.All(lines, e => Assert.Equal(LogEventLevel.Debug, e.Level));
    }

    [Fact]
    public async Task ABodyThatIsNotValidUtf8_Answers400_WithoutAStackTraceInTheLog()
    {
        var body = Encoding.UTF8.GetBytes(Initiated("v3:PLACEHOLDER"));
        var at = Encoding.UTF8.GetString(body).IndexOf("PLACEHOLDER", StringComparison.Ordinal);
        body[at] = 0xC3; // starts a two-byte sequence...
        body[at + 1] = 0x28; // ...that this byte does not continue

        using var response = await _app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("bad webhook: body is not valid UTF-8 JSON", await response.Content.ReadAsStringAsync());
        Assert.DoesNotContain(_app.Log.Events, e => e.Exception is not null);
        Assert.Single(_app.Log.WithEventId(1030));
    }
}
