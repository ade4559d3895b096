using System.Globalization;
using System.Net;
using System.Text;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Webhooks;

/// <summary>S7 of node-demo.md (bad and unrelated input) and the signature gate in front of the conference logic.</summary>
public sealed class WebhookEndpointTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Theory]
    [InlineData("", "bad webhook: empty body")]
    [InlineData("this is not json", "bad webhook: body is not JSON")]
    [InlineData("{\"data\":", "bad webhook: body is not JSON")]
    [InlineData("{}", "bad webhook: missing data")]
    [InlineData("{\"foo\":1}", "bad webhook: missing data")]
    [InlineData("[]", "bad webhook: body must be a JSON object")]
    [InlineData("\"x\"", "bad webhook: body must be a JSON object")]
    [InlineData("{\"data\":null}", "bad webhook: missing data")]
    [InlineData("{\"data\":{}}", "bad webhook: missing data.event_type")]
    [InlineData("{\"data\":{\"event_type\":\"\",\"payload\":{}}}", "bad webhook: missing data.event_type")]
    [InlineData("{\"data\":{\"event_type\":\"call.answered\"}}", "bad webhook: missing data.payload")]
    [InlineData("{\"data\":{\"event_type\":\"call.answered\",\"payload\":[]}}", "bad webhook: missing data.payload")]
    [InlineData("{\"data\":{\"event_type\":\"call.answered\",\"payload\":{\"call_control_id\":7}}}", "bad webhook: call_control_id must be a string")]
    [InlineData("{\"data\":{\"event_type\":42,\"payload\":{}}}", "bad webhook: event_type must be a string")]
    public async Task S7_MalformedSignedBody_Answers400WithTheReason_AndChangesNothing(string body, string reason)
    {
        using var response = await _app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(reason, await response.Content.ReadAsStringAsync());
        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.Requests);
    }

    public static TheoryData<string> EveryFixture => new(
        Directory.GetFiles(FixturePath("webhooks"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order());

    [Theory]
    [MemberData(nameof(EveryFixture))]
    public async Task S7_EveryRealTelnyxEventType_Answers200WithAnEmptyBody(string eventType)
    {
        _ = _app.Server; // started before the clock runs: the 2 s are the webhook's, not the host's start-up
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        using var response = await _app.PostWebhookAsync(Fixture(eventType)).WaitAsync(cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("call.playback.started")]
    [InlineData("call.dtmf.received")]
    [InlineData("call.gather.ended")]
    [InlineData("call.machine.detection.ended")]
    [InlineData("playback.started")]
    [InlineData("dtmf")]
    [InlineData("totally.unknown.event")]
    public async Task S7_UnknownOrUnhandledEventType_Answers200AndSendsNothing(string eventType)
    {
        var body = "{\"data\":{\"event_type\":\"" + eventType + "\",\"id\":\"" + Guid.NewGuid() + "\",\"payload\":{\"call_control_id\":\"" + A + "\"}}}";

        using var response = await _app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task FloorChangedWithoutTheDataWrapper_IsAccepted()
    {
        var body = """{"event_type":"conference.floor.changed","id":"f1","payload":{"call_control_id":"v3:x","conference_id":"conf-1"}}""";

        using var response = await _app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task TrailingSlashOnTheWebhookRoute_Works()
    {
        var body = Encoding.UTF8.GetBytes(Initiated(A));
        var timestamp = _app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telnyx-conf-v2/start/") { Content = new ByteArrayContent(body) };
        request.Headers.Add("telnyx-timestamp", timestamp);
        request.Headers.Add("telnyx-signature-ed25519", _app.Signer.Sign(timestamp, body));

        using var response = await _app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Answer(A));
    }

    [Fact]
    public async Task BodyOverOneMebibyte_Answers413()
    {
        var body = new byte[1024 * 1024 + 1];
        Array.Fill(body, (byte)' ');

        using var response = await _app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task BodyOfExactlyOneMebibyte_IsRead()
    {
        var json = Encoding.UTF8.GetBytes(Initiated(A));
        var body = new byte[1024 * 1024];
        Array.Fill(body, (byte)' ');
        json.CopyTo(body, 0);

        using var response = await _app.PostWebhookAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static TheoryData<string, string?, string?> Forgeries => new()
    {
        { "unsigned", "", "" },
        { "signature header empty", null, "" },
        { "wrong key", null, WebhookSigner.Generate().Sign("1800000000", Encoding.UTF8.GetBytes(Answered(A, FromA))) },
        { "replayed an hour later", (1_800_000_000 - 3600).ToString(CultureInfo.InvariantCulture), null },
    };

    [Theory]
    [MemberData(nameof(Forgeries))]
    public async Task UnsignedWronglySignedOrReplayedWebhook_Answers401_SendsNoCommand_AndChangesNoState(
        string what, string? timestamp, string? signature)
    {
        _ = what;
        var body = Encoding.UTF8.GetBytes(Answered(A, FromA));
        using var response = await _app.PostWebhookAsync(body, timestamp, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.StartsWith("invalid signature: ", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.Requests);
        Assert.Empty((await _app.RoomAsync()).Participants);
    }

    [Fact]
    public async Task SignedWebhookWithAlteredBody_IsRejected()
    {
        var timestamp = _app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes(Answered(A, FromA));
        var signature = _app.Signer.Sign(timestamp, signed);
        var altered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(signed).Replace(FromA, "+15550000666", StringComparison.Ordinal));

        using var response = await _app.PostWebhookAsync(altered, timestamp, signature);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid signature: signature does not match", await response.Content.ReadAsStringAsync());
        Assert.Empty((await _app.RoomAsync()).Participants);
    }

    [Fact]
    public async Task NoPublicKey_EveryWebhookIsRejectedAsNotConfigured()
    {
        _app.Settings["Webhooks:PublicKey"] = null;

        using var response = await _app.PostWebhookAsync(Initiated(A));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("webhook verification not configured", await response.Content.ReadAsStringAsync());
        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task VerificationSwitchedOff_AcceptsUnsignedWebhooks()
    {
        _app.Settings["Webhooks:PublicKey"] = null;
        _app.Settings["Webhooks:Verify"] = "false";

        using var response = await _app.PostWebhookAsync(Encoding.UTF8.GetBytes(Initiated(A)), "", "");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Answer(A));
    }

    [Fact]
    public async Task SlowTelnyx_DoesNotDelayTheWebhookAnswer()
    {
        using var release = new SemaphoreSlim(0);
        _app.Telnyx.Respond = async (_, ct) =>
        {
            await release.WaitAsync(ct);
            return null;
        };

        _ = _app.Server;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        using var response = await _app.PostWebhookAsync(Initiated(A)).WaitAsync(cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        release.Release();
        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Answer(A));
    }
}
