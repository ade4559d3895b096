using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;

namespace ConferenceDemo.Tests.Control;

/// <summary>The control routes are the owner's: credentials, limits, the pull guard, JSON, the POST API, OpenAPI.</summary>
public sealed class ControlAccessTests : IAsyncLifetime
{
    private static readonly string EncodedA = Uri.EscapeDataString(A);
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    public static TheoryData<string, string> EveryControlRoute()
    {
        var data = new TheoryData<string, string> { { "GET", "/telnyx-conf-v2/list" }, { "GET", "/telnyx-conf-v2/pull?number=%2B15551234567" },
            { "GET", "/api/conference" }, { "POST", "/api/calls" } };
        foreach (var action in new[] { "mute", "unmute", "hold", "unhold", "record-start", "record-stop" })
        {
            data.Add("GET", $"/telnyx-conf-v2/{action}?participant={EncodedA}");
            data.Add("POST", $"/api/participants/{EncodedA}/{action}");
        }

        return data;
    }

    private static HttpRequestMessage Request(string method, string path, AuthenticationHeaderValue? auth = null)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { number = "+15551234567" });
        }

        request.Headers.Authorization = auth;
        return request;
    }

    private static AuthenticationHeaderValue Basic(string user, string password) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")));

    private async Task<HttpResponseMessage> SendAsync(string method, string path, AuthenticationHeaderValue? auth = null)
    {
        using var request = Request(method, path, auth);
        return await _app.CreateClient().SendAsync(request);
    }

    [Theory]
    [MemberData(nameof(EveryControlRoute))]
    public async Task NoCredentials_Answers401WithABasicChallenge_AndSendsNothing(string method, string path)
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();

        using var response = await SendAsync(method, path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Theory]
    [MemberData(nameof(EveryControlRoute))]
    public async Task WrongPassword_Answers401(string method, string path)
    {
        // With a conference open, every action route has someone to act on: "sends nothing" can fail for each.
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();

        using var response = await SendAsync(method, path, Basic(ConferenceDemoApplication.ControlUser, "wrong"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Theory]
    [MemberData(nameof(EveryControlRoute))]
    public async Task RightPasswordOrToken_Works(string method, string path)
    {
        await FirstCallerOpensConferenceAsync(_app);

        using var withPassword = await SendAsync(method, path, Basic(ConferenceDemoApplication.ControlUser, ConferenceDemoApplication.ControlPassword));
        using var withToken = await SendAsync(method, path, new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken));

        Assert.True(withPassword.IsSuccessStatusCode, $"{method} {path} with password: {withPassword.StatusCode}");
        Assert.True(withToken.IsSuccessStatusCode, $"{method} {path} with token: {withToken.StatusCode}");
    }

    [Theory]
    [InlineData("Basic", "not base64!")]
    [InlineData("Basic", "YWRtaW4=")]                              // "admin", no colon
    [InlineData("Bearer", "test-control-token-0123456789x")]
    [InlineData("Bearer", "test-control-password")]                // a password is not a token
    [InlineData("Digest", "username=\"admin\"")]
    public async Task MalformedOrWrongCredentials_Answer401(string scheme, string parameter)
    {
        using var response = await SendAsync("GET", "/telnyx-conf-v2/list", new AuthenticationHeaderValue(scheme, parameter));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task WrongUser_Answers401()
    {
        using var response = await SendAsync("GET", "/telnyx-conf-v2/list", Basic("root", ConferenceDemoApplication.ControlPassword));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task HealthAndWebhook_NeedNoCredentials()
    {
        using var health = await _app.CreateClient().GetAsync("/healthz");
        using var webhook = await _app.PostWebhookAsync(TelnyxWebhooks.Initiated(A));

        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        Assert.Equal(HttpStatusCode.OK, webhook.StatusCode);
    }

    [Fact]
    public async Task RepeatedFailedSignIns_RefuseFurtherWrongGuessesWith429_ButTheOwnerStillSignsIn()
    {
        _app.Settings["Control:FailedAttemptsPerMinute"] = "3";
        for (var i = 0; i < 3; i++)
        {
            using var wrong = await SendAsync("GET", "/telnyx-conf-v2/list", Basic("admin", $"guess-{i}"));
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        using var locked = await SendAsync("GET", "/telnyx-conf-v2/list", Basic("admin", "guess-4"));
        using var owner = await SendAsync("GET", "/telnyx-conf-v2/list", Basic("admin", ConferenceDemoApplication.ControlPassword));
        using var script = await SendAsync("GET", "/api/conference", new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken));

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        Assert.NotNull(locked.Headers.RetryAfter);
        Assert.Contains("CONTROL_AUTH_FAILURES_PER_MINUTE", await locked.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, owner.StatusCode);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task ControlRequestsOverTheClientsBudget_Answer429()
    {
        _app.Settings["Control:RequestsPerMinute"] = "5";
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            using var client = _app.CreateControlClient();
            using var response = await client.GetAsync("/telnyx-conf-v2/list");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 5), HttpStatusCode.TooManyRequests], statuses);
        using var health = await _app.CreateClient().GetAsync("/healthz"); // not a control route
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Fact]
    public async Task PullsOverTheBudget_Answer429AndDialNothingMore()
    {
        _app.Settings["Control:PullsPerMinute"] = "2";

        var statuses = new List<int>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await _app.GetAsync("/telnyx-conf-v2/pull?number=%2B15551234567")).Status);
        }

        Assert.Equal([200, 200, 429], statuses);
        Assert.Equal(2, _app.Telnyx.Requests.Count);
    }

    [Theory]
    [InlineData("%2B33123456789", 403)]
    [InlineData("%2B15551234567", 200)]
    [InlineData("%2B442071234567", 200)]
    public async Task PullGuard_OnlyAllowedPrefixesAreDialed(string number, int status)
    {
        _app.Settings["Conference:PullAllowedPrefixes"] = "+1, +44";

        var (actual, text) = await _app.GetAsync($"/telnyx-conf-v2/pull?number={number}");

        Assert.Equal(status, actual);
        Assert.Equal(status == 200 ? 1 : 0, _app.Telnyx.Requests.Count);
        if (status == 403)
        {
            Assert.Contains("PULL_ALLOWED_PREFIXES", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task PullGuard_AppliesToThePostApiToo()
    {
        _app.Settings["Conference:PullAllowedPrefixes"] = "+1";
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsJsonAsync("/api/calls", new { number = "+33123456789" });

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task List_AsJson_GivesTheConferenceAndEachParticipantsState()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        await _app.GetAsync($"/telnyx-conf-v2/mute?participant={Uri.EscapeDataString(B)}");

        using var client = _app.CreateControlClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await client.GetAsync("/telnyx-conf-v2/list");
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var expected = JsonNode.Parse($$"""
            {"conference_id":"conf-1","participants":[
              {"call_control_id":"{{A}}","number":"{{FromA}}","status":"in_room","on_hold":true,"muted":false,"recording":false,"dialed":false},
              {"call_control_id":"{{B}}","number":"{{FromB}}","status":"joining","on_hold":false,"muted":true,"recording":false,"dialed":false}]}
            """);
        Assert.True(JsonNode.DeepEquals(expected, json), json.ToJsonString());
    }

    [Fact]
    public async Task List_AsJson_WithoutConference_HasNoIdAndNoParticipants()
    {
        using var client = _app.CreateControlClient();
        var json = await client.GetFromJsonAsync<JsonNode>("/api/conference");

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"conference_id":null,"participants":[]}"""), json), json!.ToJsonString());
    }

    [Fact]
    public async Task GetAction_AsJson_GivesTheOutcome_AndErrorsAsProblemDetails()
    {
        await FirstCallerOpensConferenceAsync(_app);
        using var client = _app.CreateControlClient();
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        var done = await client.GetFromJsonAsync<JsonNode>($"/telnyx-conf-v2/hold?participant={EncodedA}");
        using var missing = await client.GetAsync("/telnyx-conf-v2/hold?participant=v3:nobody");
        var problem = JsonNode.Parse(await missing.Content.ReadAsStringAsync())!;

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""{"action":"hold","participant":"{{A}}","outcome":"done","message":"participant on hold [{{A}}]"}"""), done));
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("application/problem+json", missing.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, problem["status"]!.GetValue<int>());
        Assert.Equal("no participant v3:nobody in conference conf-1", problem["detail"]!.GetValue<string>());
    }

    public static TheoryData<string, string> PostActions => new()
    {
        { "mute", Expect.Mute("conf-1", A).Path }, { "unmute", Expect.Unmute("conf-1", A).Path },
        { "hold", Expect.Hold("conf-1", A).Path }, { "unhold", Expect.Unhold("conf-1", A).Path },
        { "record-start", Expect.RecordStart(A).Path }, { "record-stop", Expect.RecordStop(A).Path },
    };

    [Theory]
    [MemberData(nameof(PostActions))]
    public async Task PostAction_SendsTheCommandAndAnswersJson(string action, string telnyxPath)
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsync($"/api/participants/{EncodedA}/{action}", null);
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("done", json["outcome"]!.GetValue<string>());
        Assert.Equal(action, json["action"]!.GetValue<string>());
        Assert.Equal([telnyxPath], _app.Telnyx.TakeNew().Select(r => r.Path));
    }

    [Fact]
    public async Task PostAction_Failures_AreProblemDetails()
    {
        using var client = _app.CreateControlClient();

        using var noConference = await client.PostAsync($"/api/participants/{EncodedA}/mute", null);
        await FirstCallerOpensConferenceAsync(_app);
        using var unknown = await client.PostAsync("/api/participants/v3%3Anobody/mute", null);
        _app.Telnyx.Respond = (_, _) => Task.FromResult<HttpResponseMessage?>(RecordingTelnyxHandler.Json(HttpStatusCode.UnprocessableEntity,
            File.ReadAllText(TelnyxWebhooks.FixturePath("responses", "error_422_call_already_ended.json"))));
        using var gone = await client.PostAsync($"/api/participants/{EncodedA}/unmute", null);

        Assert.Equal(HttpStatusCode.NotFound, noConference.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        foreach (var response in new[] { noConference, unknown, gone })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task PostCalls_DialsAndAnswers202WithTheNewLeg()
    {
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsJsonAsync("/api/calls", new { number = "+15557654321" });
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"number":"+15557654321","call_control_id":"v3:dialed-1","outcome":"calling","message":"calling +15557654321"}"""), json));
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Dial("+15557654321"));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"number":""}""")]
    [InlineData("""{"number":"15557654321"}""")]
    [InlineData("""{"number":12}""")]
    [InlineData("not json")]
    public async Task PostCalls_BadBody_Answers400AndDialsNothing(string body)
    {
        using var client = _app.CreateControlClient();
        using var content = new StringContent(body, Encoding.UTF8, "application/json");

        using var response = await client.PostAsync("/api/calls", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task OpenApiDocument_ListsEveryControlRoute()
    {
        using var client = _app.CreateClient();
        var document = JsonNode.Parse(await client.GetStringAsync("/openapi/v1.json"))!;
        var paths = document["paths"]!.AsObject();

        var expected = new List<(string Path, string Method)> { ("/telnyx-conf-v2/list", "get"), ("/telnyx-conf-v2/pull", "get"),
            ("/api/conference", "get"), ("/api/calls", "post") };
        foreach (var action in new[] { "mute", "unmute", "hold", "unhold", "record-start", "record-stop" })
        {
            expected.Add(($"/telnyx-conf-v2/{action}", "get"));
            expected.Add(($"/api/participants/{{callControlId}}/{action}", "post"));
        }

        foreach (var (path, method) in expected)
        {
            Assert.True(paths[path]?[method] is not null, $"{method.ToUpperInvariant()} {path} is not in the OpenAPI document");
        }
    }

    [Theory]
    [InlineData("Sec-Fetch-Site", "cross-site")]
    [InlineData("Sec-Purpose", "prefetch")]
    [InlineData("Purpose", "prefetch")]
    public async Task CrossSiteOrPrefetchedGet_IsRefusedAndSendsNothing(string header, string value)
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();
        using var client = _app.CreateControlClient();
        client.DefaultRequestHeaders.Add(header, value);

        using var mute = await client.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}");
        using var pull = await client.GetAsync("/telnyx-conf-v2/pull?number=%2B15551234567");

        Assert.Equal(HttpStatusCode.Forbidden, mute.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, pull.StatusCode);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task SameSiteOrTypedInTheAddressBar_IsServed()
    {
        await FirstCallerOpensConferenceAsync(_app);
        using var client = _app.CreateControlClient();
        client.DefaultRequestHeaders.Add("Sec-Fetch-Site", "none");

        using var response = await client.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
