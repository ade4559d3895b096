using System.Net.Http.Headers;
using System.Text;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Telnyx;

/// <summary>
/// Every request the server sends in the demo's scenarios, replayed byte for byte against Prism, which checks it
/// against Telnyx's own OpenAPI spec.
/// </summary>
public sealed class TelnyxContractTests(PrismMock prism) : IClassFixture<PrismMock>
{
    /// <summary>Runs S2, S4 and a pull through the server and returns every command it sent.</summary>
    private static async Task<IReadOnlyList<RecordedRequest>> EveryCommandTheServerSendsAsync()
    {
        await using var app = new ConferenceDemoApplication();
        await FirstCallerOpensConferenceAsync(app);
        await CallerJoinsAsync(app, B, FromB);
        await app.DeliverAsync(Joined(B, "conf-1"));
        foreach (var action in new[] { "mute", "unmute", "hold", "unhold", "record-start", "record-stop" })
        {
            Assert.Equal(200, (await app.GetAsync($"/telnyx-conf-v2/{action}?participant={Uri.EscapeDataString(A)}")).Status);
        }

        Assert.Equal(200, (await app.GetAsync("/telnyx-conf-v2/pull?number=%2B15557654321")).Status);
        await app.DeliverAsync(Left(B, "conf-1"));

        // A create refused because the name is in use looks the running conference up and reads its roster;
        // with none running, the caller is hung up. Include all of it.
        app.Telnyx.FailOn(System.Net.HttpStatusCode.UnprocessableEntity, "error_422_conference_name_conflict.json", "/v2/conferences");
        await app.DeliverAsync(Ended("conf-1", A));
        await app.DeliverAsync(Answered(C, FromC));
        var requests = app.Telnyx.Requests.ToList();

        await using var restarted = new ConferenceDemoApplication();
        var nameInUse = File.ReadAllText(FixturePath("responses", "error_422_conference_name_conflict.json"));
        restarted.Telnyx.Respond = (r, _) => Task.FromResult<HttpResponseMessage?>((r.Method.Method, r.Path) switch
        {
            ("POST", "/v2/conferences") => RecordingTelnyxHandler.Json(System.Net.HttpStatusCode.UnprocessableEntity, nameInUse),
            ("GET", "/v2/conferences") => RecordingTelnyxHandler.Json(System.Net.HttpStatusCode.OK, """{"data":[{"id":"conf-old"}]}"""),
            _ => null,
        });
        await restarted.DeliverAsync(Answered(A, FromA));
        requests.AddRange(restarted.Telnyx.Requests);
        requests.AddRange(await EveryCommandOfARoomWithPinsAsync());
        requests.AddRange(await EveryModeratorCommandAsync());
        return requests;
    }

    /// <summary>The moderator's controls: mute all, speak and play (room and one), stop, the room recording, kick, end, a download, a time limit.</summary>
    private static async Task<IReadOnlyList<RecordedRequest>> EveryModeratorCommandAsync()
    {
        await using var app = new ConferenceDemoApplication();
        app.Settings["Rooms:board:DialIn"] = "+15556660000";
        app.Settings["Rooms:board:MaxDurationMinutes"] = "10";
        await FirstCallerOpensConferenceAsync(app);
        await CallerJoinsAsync(app, B, FromB);
        await app.DeliverAsync(Joined(B, "conf-1"));
        using var client = app.CreateControlClient();
        foreach (var (path, body) in new[]
        {
            ("mute-all", null), ("unmute-all", null), ("speak", """{"text":"Hello room"}"""), ("speak", $$"""{"text":"Hello A","call_control_id":"{{A}}"}"""),
            ("play", """{"audio_url":"https://example.com/a.mp3"}"""), ("play", $$"""{"audio_url":"https://example.com/a.mp3","call_control_id":"{{B}}"}"""),
            ("stop-audio", null), ("recording/start", """{"format":"mp3","channels":"single"}"""), ("recording/pause", null),
            ("recording/resume", null), ("recording/stop", null), ($"participants/{Uri.EscapeDataString(B)}/kick", null), ("end", (string?)null),
        })
        {
            using var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await app.AdvancingAsync(client.PostAsync($"/api/rooms/myconf/{path}", content));
            Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            await app.WhenIdleAsync();
        }

        await app.DeliverAsync(SpeakEnded(B));
        await app.DeliverAsync(Event("conference.recording.saved", new Dictionary<string, string?>
        {
            ["conference_id"] = "conf-1", ["recording_id"] = "4577f9a2-cf0e-44f3-ac57-9f95fb03fa47",
        }));
        app.Telnyx.Respond = (r, _) => Task.FromResult(r.Path.StartsWith("/v2/recordings/", StringComparison.Ordinal)
            ? RecordingTelnyxHandler.Json(System.Net.HttpStatusCode.OK, File.ReadAllText(FixturePath("responses", "recording_retrieve.json")))
            : null);
        using var manual = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        manual.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken);
        using (var download = await app.AdvancingAsync(manual.GetAsync("/api/recordings/4577f9a2-cf0e-44f3-ac57-9f95fb03fa47/download")))
        {
            Assert.Equal(System.Net.HttpStatusCode.Redirect, download.StatusCode);
        }

        await app.DeliverAsync(Ended("conf-1", A));
        await app.DeliverAsync(Initiated(C, to: "+15556660000"));
        await app.DeliverAsync(Answered(C, FromC, "+15556660000"));
        return app.Telnyx.Requests;
    }

    /// <summary>A room with PINs and every option: PIN prompts, create and join with their options, the moderator's end.</summary>
    private static async Task<IReadOnlyList<RecordedRequest>> EveryCommandOfARoomWithPinsAsync()
    {
        await using var app = new ConferenceDemoApplication();
        TwoRooms.Configure(app);
        const string Sales = TwoRooms.Sales;
        var caller = ConferenceDemo.Rooms.ClientStateTag.Caller("sales");
        await app.DeliverAsync(Initiated(A, to: Sales));
        await app.DeliverAsync(Answered(A, FromA, Sales));
        await app.DeliverAsync(GatherEnded(A, "0000", clientState: caller));   // wrong: prompted again
        await app.DeliverAsync(GatherEnded(A, "1234", clientState: caller));   // a member opens it, unstarted, with hold audio
        await app.DeliverAsync(Joined(A, "conf-1"));
        await app.DeliverAsync(Answered(B, FromB, Sales));
        await app.DeliverAsync(GatherEnded(B, "9876", clientState: caller));   // the moderator starts it and ends it on exit
        await app.DeliverAsync(Answered(C, FromC, Sales));
        await app.DeliverAsync(GatherEnded(C, "1234", clientState: caller));   // a member joins muted
        await app.DeliverAsync(Joined(B, "conf-1"));
        await app.DeliverAsync(Left(B, "conf-1"));                             // the last moderator leaves: end
        return app.Telnyx.Requests;
    }

    private async Task<(int Status, string Body)> SendToPrismAsync(string path, string body, HttpMethod? method = null)
    {
        using var http = new HttpClient { BaseAddress = prism.BaseUrl };
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, path.TrimStart('/'))
        {
            Content = method == HttpMethod.Get ? null : content,
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ApiKey);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryCommandBody_IsAcceptedByTelnyxsOpenApiSpec()
    {
        var commands = await EveryCommandTheServerSendsAsync();
        var kinds = commands.Select(c => $"{c.Method} {c.Path.Split('/')[^1]}").ToHashSet();
        Assert.Superset(new HashSet<string> { "POST answer", "POST speak", "POST conferences", "POST join", "POST hold", "POST unhold",
            "POST mute", "POST unmute", "POST record_start", "POST record_stop", "POST calls", "POST hangup",
            "GET conferences", "GET participants", "POST gather_using_speak", "POST end", "POST play", "POST stop", "POST record_pause",
            "POST record_resume", "GET 4577f9a2-cf0e-44f3-ac57-9f95fb03fa47" }, kinds);
        Assert.Contains(commands, c => c.Path.EndsWith("/conf-1/actions/record_start", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Body.Contains("\"duration_minutes\":10", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Body.Contains("\"start_conference_on_create\":false", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Body.Contains("\"end_conference_on_exit\":true", StringComparison.Ordinal)
            && c.Body.Contains("\"start_conference_on_enter\":true", StringComparison.Ordinal));
        Assert.Contains(commands, c => c.Body.Contains("\"mute\":true", StringComparison.Ordinal));

        foreach (var command in commands)
        {
            // The fake Telnyx names conferences conf-1, conf-2…; Telnyx's are UUIDs, which end requires in its path.
            var path = System.Text.RegularExpressions.Regex.Replace(command.Path, "/conf-[0-9]+/", "/3fa85f64-5717-4562-b3fc-2c963f66afa6/");
            var (status, body) = await SendToPrismAsync(path + command.Query, command.Body, command.Method);
            Assert.True(status is >= 200 and < 300, $"Prism rejected {command}: {status} {body}");
        }
    }

    [Theory]
    [InlineData("/v2/calls/v3%3Aabc/actions/answer", """{"client_state":null}""")]     // the demo's answer body
    [InlineData("/v2/conferences/conf-1/actions/unhold", "{}")]                         // unhold needs call_control_ids
    [InlineData("/v2/calls/v3%3Aabc/actions/speak", """{"payload":"hi"}""")]             // speak needs voice
    public async Task Prism_RejectsBodiesTheSpecDoesNotAccept(string path, string body)
    {
        var (status, _) = await SendToPrismAsync(path, body);

        Assert.Equal(422, status);
    }

    [Theory]
    [InlineData("/v2/conferences?filter%5Bstatus%5D=bogus")]                   // not a conference status
    [InlineData("/v2/conferences/conf-1/participants?page%5Bsize%5D=9999")]     // page size is 1-250
    public async Task Prism_RejectsQueriesTheSpecDoesNotAccept(string pathAndQuery)
    {
        var (status, _) = await SendToPrismAsync(pathAndQuery, "", HttpMethod.Get);

        Assert.Equal(422, status);
    }
}
