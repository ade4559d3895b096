using System.Net.Http.Headers;
using System.Text;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Conference.CallFlowScenarioTests;
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

        // A create that fails ends in a hangup: include it.
        app.Telnyx.AnswerOn(System.Net.HttpStatusCode.UnprocessableEntity, "{}", "/v2/conferences");
        await app.DeliverAsync(Ended("conf-1", A));
        await app.DeliverAsync(Answered(C, FromC));
        return app.Telnyx.Requests;
    }

    private async Task<(int Status, string Body)> SendToPrismAsync(string path, string body)
    {
        using var http = new HttpClient { BaseAddress = prism.BaseUrl };
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, path.TrimStart('/')) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ConferenceDemoApplication.ApiKey);
        using var response = await http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task EveryCommandBody_IsAcceptedByTelnyxsOpenApiSpec()
    {
        var commands = await EveryCommandTheServerSendsAsync();
        var kinds = commands.Select(c => c.Path.Split('/')[^1]).ToHashSet();
        Assert.Superset(new HashSet<string> { "answer", "speak", "conferences", "join", "hold", "unhold", "mute", "unmute",
            "record_start", "record_stop", "calls", "hangup" }, kinds);

        foreach (var command in commands)
        {
            var (status, body) = await SendToPrismAsync(command.Path, command.Body);
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
}
