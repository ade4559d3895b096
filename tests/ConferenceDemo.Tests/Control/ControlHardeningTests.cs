using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;

namespace ConferenceDemo.Tests.Control;

/// <summary>
/// Hostile or clumsy requests to the control routes: other sites, wrong bodies, ids that are not ids, guessers who
/// would lock the owner out; and answers that say what to fix.
/// </summary>
public sealed class ControlHardeningTests : IAsyncLifetime
{
    private static readonly string EncodedA = Uri.EscapeDataString(A);
    private static readonly string[] Actions = ["mute", "unmute", "hold", "unhold", "record-start", "record-stop"];
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private static HttpContent JsonBody(string json, string contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }

    public static TheoryData<string, string> CrossSiteSignals => new()
    {
        { "Sec-Fetch-Site", "cross-site" },
        { "Origin", "https://evil.example" },
        { "Origin", "http://localhost:8081" },  // another port is another origin
        { "Origin", "https://localhost" },      // another scheme too
        { "Origin", "null" },
    };

    [Theory]
    [MemberData(nameof(CrossSiteSignals))]
    public async Task CrossSitePosts_Answer403_AndSendNothing(string header, string value)
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();
        using var client = _app.CreateControlClient();
        client.DefaultRequestHeaders.Add(header, value);

        foreach (var action in Actions)
        {
            using var post = await client.PostAsync($"/api/participants/{EncodedA}/{action}", null);
            using var get = await client.GetAsync($"/telnyx-conf-v2/{action}?participant={EncodedA}");

            Assert.Equal(HttpStatusCode.Forbidden, post.StatusCode);
            Assert.Equal("application/problem+json", post.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.Forbidden, get.StatusCode);
            Assert.StartsWith("refused: ", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using var call = await client.PostAsync("/api/calls", JsonBody("""{"number":"+15551234567"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, call.StatusCode);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task TextPlainBodyOnAnAction_Answers415_AndSendsNothing()
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsync($"/api/participants/{EncodedA}/mute", new StringContent("x", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("application/json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task SameOriginBrowserAndBearerScript_AreServed()
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();
        using var browser = _app.CreateControlClient();
        browser.DefaultRequestHeaders.Add("Origin", "http://localhost");
        browser.DefaultRequestHeaders.Add("Sec-Fetch-Site", "same-origin");
        using var script = _app.CreateClient();
        script.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ControlToken);

        using var fromBrowser = await browser.PostAsync($"/api/participants/{EncodedA}/mute", null);
        using var fromScript = await script.PostAsync($"/api/participants/{EncodedA}/unmute", null);

        Assert.Equal(HttpStatusCode.OK, fromBrowser.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fromScript.StatusCode);
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Mute("conf-1", A), Expect.Unmute("conf-1", A));
    }

    [Theory]
    [InlineData("text/plain", 415)]
    [InlineData("application/x-www-form-urlencoded", 415)]
    [InlineData("application/json; charset=bogus", 415)]
    [InlineData("application/json; charset=latin1", 415)]
    [InlineData("application/json; charset=UTF-8", 202)]
    [InlineData("application/json", 202)]
    public async Task PostCalls_TakesOnlyUtf8Json(string contentType, int status)
    {
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsync("/api/calls", JsonBody("""{"number":"+15551234567"}""", contentType));

        Assert.Equal(status, (int)response.StatusCode);
        if (status == 415)
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Contains(contentType, problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Empty(_app.Telnyx.Requests);
        }
    }

    [Theory]
    [InlineData("{\"number\":", "not valid JSON")]
    [InlineData("{\"number\":\"+15551234567\"} x", "not valid JSON")]
    [InlineData("{\"number\":15551234567}", "not valid JSON")]
    [InlineData("[]", "not valid JSON")]
    [InlineData("{\"number\":\"\\ud800\"}", "not valid JSON")]
    [InlineData("{}", "the body must be")]
    [InlineData("{\"number\":\"+15551234567\",\"role\":\"owner\"}", "role is member or moderator; it is")]
    [InlineData("{\"number\":\"+15551234567\",\"role\":\"Moderator\"}", "role is member or moderator")]
    [InlineData("{\"number\":\"+15551234567\\n\"}", "not an E.164 number")]
    [InlineData("{\"number\":\"+15551234567 \"}", "not an E.164 number")]
    [InlineData("{\"number\":\" +15551234567\"}", "not an E.164 number")]
    [InlineData("{\"number\":\"+1555\\u00A01234567\"}", "not an E.164 number")]
    public async Task PostCalls_BadBody_Answers400ProblemDetailsWithAReason_AndDialsNothing(string body, string reason)
    {
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsync("/api/calls", JsonBody(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Contains(reason, StringComparison.Ordinal), text);
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Theory]
    [InlineData("%2B15551234567%0A")]
    [InlineData("%2B15551234567%20")]
    [InlineData("%2B15551234567%0D%0A")]
    [InlineData("%2B1555%201234567")]
    public async Task GetPull_NumberWithTrailingNewlineOrSpaces_Answers400_AndDialsNothing(string number)
    {
        var (status, _) = await _app.GetAsync($"/telnyx-conf-v2/pull?number={number}");

        Assert.Equal(400, status);
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("%2E%2E")]
    [InlineData("a%2Fb")]
    [InlineData("%2F")]
    [InlineData("v3%3Ax%0A")]
    public async Task DotsAndSlashesAsParticipant_Answer400_AndNeverReachTelnyx(string participant)
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.TakeNew();
        using var client = _app.CreateControlClient();

        foreach (var action in Actions)
        {
            var (status, text) = await _app.GetAsync($"/telnyx-conf-v2/{action}?participant={participant}");
            Assert.Equal(400, status);
            Assert.Contains("is not a call control id", text, StringComparison.Ordinal);

            using var post = await client.PostAsync($"/api/participants/{participant}/{action}", null);
            Assert.True((int)post.StatusCode is 400 or 404 or 405, $"{action} {participant}: {(int)post.StatusCode}");
        }

        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task DotRouteValue_ThatReachesTheEndpoint_Answers400WithTheReason()
    {
        using var client = _app.CreateControlClient();

        using var response = await client.PostAsync("/api/participants/v3%3Ax%20y/mute", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("is not a call control id", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    /// <summary>A request as it arrives from <paramref name="remote"/>, optionally forwarded for <paramref name="forwardedFor"/>.</summary>
    private async Task<int> SignInAsync(string remote, string? forwardedFor, string password, string path = "/telnyx-conf-v2/list")
    {
        var context = await _app.Server.SendAsync(c =>
        {
            c.Connection.RemoteIpAddress = IPAddress.Parse(remote);
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = path;
            c.Request.Headers.Authorization = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}"));
            if (forwardedFor is not null)
            {
                c.Request.Headers["X-Forwarded-For"] = forwardedFor;
            }
        });
        return context.Response.StatusCode;
    }

    [Fact]
    public async Task WrongGuessesOnHealthzOrTheWebhook_AreNotCounted()
    {
        _app.Settings["Control:FailedAttemptsPerMinute"] = "2";
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(200, await SignInAsync("10.0.0.5", null, $"guess-{i}", "/healthz"));
        }

        Assert.Equal(401, await SignInAsync("10.0.0.5", null, "guess-on-a-control-route"));
    }

    [Fact]
    public async Task BehindATrustedProxy_ClientsAreToldApartByXForwardedFor()
    {
        _app.Settings["Control:FailedAttemptsPerMinute"] = "2";
        _app.Settings["Control:TrustedProxies"] = "10.0.0.1, 192.168.0.0/16";

        Assert.Equal(401, await SignInAsync("10.0.0.1", "203.0.113.7", "guess-1"));
        Assert.Equal(401, await SignInAsync("10.0.0.1", "203.0.113.7", "guess-2"));
        Assert.Equal(429, await SignInAsync("10.0.0.1", "203.0.113.7", "guess-3"));
        Assert.Equal(401, await SignInAsync("192.168.4.4", "203.0.113.8", "guess-1")); // another client, another budget
        Assert.Equal(200, await SignInAsync("10.0.0.1", "203.0.113.7", ConferenceDemoApplication.ControlPassword));

        // An untrusted sender's X-Forwarded-For is ignored: its guesses count against its own address.
        Assert.Equal(401, await SignInAsync("10.9.9.9", "203.0.113.50", "guess-1"));
        Assert.Equal(401, await SignInAsync("10.9.9.9", "203.0.113.51", "guess-2"));
        Assert.Equal(429, await SignInAsync("10.9.9.9", "203.0.113.52", "guess-3"));
    }

    [Fact]
    public async Task WithoutTrustedProxies_XForwardedForIsIgnored()
    {
        _app.Settings["Control:FailedAttemptsPerMinute"] = "1";

        Assert.Equal(401, await SignInAsync("127.0.0.1", "203.0.113.7", "guess-1"));
        Assert.Equal(429, await SignInAsync("127.0.0.1", "203.0.113.8", "guess-1"));
    }

    [Fact]
    public async Task WrongGuessesFromManyClients_HitTheLimitForAll_ButTheOwnerStillSignsIn()
    {
        _app.Settings["Control:FailedAttemptsPerMinute"] = "1"; // all clients together: 10
        var statuses = new List<int>();
        for (var i = 1; i <= 11; i++)
        {
            statuses.Add(await SignInAsync($"198.51.100.{i}", null, "guess"));
        }

        Assert.Equal([.. Enumerable.Repeat(401, 10), 429], statuses);
        Assert.Equal(200, await SignInAsync("198.51.100.200", null, ConferenceDemoApplication.ControlPassword));
    }

    [Theory]
    [InlineData("/api/conference", null, "application/problem+json")]
    [InlineData("/telnyx-conf-v2/list", "application/json", "application/problem+json")]
    [InlineData("/telnyx-conf-v2/list", null, "text/plain")]
    public async Task Unauthorized_IsProblemDetailsUnderApiOrWhenJsonIsAsked(string path, string? accept, string mediaType)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }

        using var response = await _app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("CONTROL_PASSWORD", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Basic");
    }

    [Fact]
    public async Task TooManyRequestsAndPulls_AreProblemDetailsUnderApi_AndTheirTextNamesTheSetting()
    {
        _app.Settings["Control:PullsPerMinute"] = "1";
        using var client = _app.CreateControlClient();

        using var first = await client.PostAsync("/api/calls", JsonBody("""{"number":"+15551234567"}"""));
        using var second = await client.PostAsync("/api/calls", JsonBody("""{"number":"+15551234567"}"""));
        var (getStatus, getText) = await _app.GetAsync("/telnyx-conf-v2/pull?number=%2B15551234567");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Contains("PULL_RATE_LIMIT_PER_MINUTE", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(429, getStatus);
        Assert.Contains("PULL_RATE_LIMIT_PER_MINUTE", getText, StringComparison.Ordinal);
        Assert.Single(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task ControlBudget429_NamesItsSetting()
    {
        _app.Settings["Control:RequestsPerMinute"] = "1";
        using var client = _app.CreateControlClient();

        using var first = await client.GetAsync("/api/conference");
        using var second = await client.GetAsync("/api/conference");

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType?.MediaType);
        Assert.Contains("CONTROL_RATE_LIMIT_PER_MINUTE", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("GET", "/api/nothing-here", 404, "application/problem+json", "no route /api/nothing-here")]
    [InlineData("GET", "/nothing-here", 404, "text/plain", "no route /nothing-here")]
    [InlineData("GET", "/api/calls", 405, "application/problem+json", "GET is not allowed on /api/calls")]
    [InlineData("DELETE", "/telnyx-conf-v2/start", 405, "text/plain", "DELETE is not allowed")]
    public async Task ErrorStatusesWithoutABody_GetTheirReason(string method, string path, int status, string mediaType, string reason)
    {
        using var client = _app.CreateControlClient();

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailureOfOurOwn_Answers500WithTheTraceId_ProblemDetailsUnderApi_TextOnTheGetUrls()
    {
        await FirstCallerOpensConferenceAsync(_app);
        _app.Telnyx.Respond = (_, _) => throw new InvalidOperationException("a bug of ours, with a secret-looking detail");
        using var client = _app.CreateControlClient();

        using var api = await client.PostAsync($"/api/participants/{EncodedA}/mute", null);
        using var get = await client.GetAsync($"/telnyx-conf-v2/mute?participant={EncodedA}");

        Assert.Equal(HttpStatusCode.InternalServerError, api.StatusCode);
        Assert.Equal("application/problem+json", api.Content.Headers.ContentType?.MediaType);
        var problem = await api.Content.ReadAsStringAsync();
        Assert.Contains("trace id", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-looking", problem, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.InternalServerError, get.StatusCode);
        Assert.Equal("text/plain", get.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain("secret-looking", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
