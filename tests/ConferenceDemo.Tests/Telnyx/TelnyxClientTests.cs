using System.Net;
using ConferenceDemo.Telnyx;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Tests.Telnyx;

public sealed class TelnyxClientTests : IDisposable
{
    private readonly RecordingTelnyxHandler _telnyx = new();
    private readonly HttpClient _http;
    private readonly TelnyxClient _client;

    public TelnyxClientTests()
    {
        var options = Options.Create(new TelnyxOptions { ApiKey = "k", BaseUrl = "https://telnyx.test/v2" });
        _http = new HttpClient(new TelnyxAuthHandler(options) { InnerHandler = _telnyx }) { BaseAddress = new Uri("https://telnyx.test/v2/") };
        _client = new TelnyxClient(_http, options, TimeProvider.System, NullLogger<TelnyxClient>.Instance);
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task IdsInPaths_AreEscaped()
    {
        await _client.HangupAsync("v3:a_b-C9", "cmd-1");
        await _client.MuteAsync("428c31b6-abf3-3bc1-b7f4-5013ef9657c1", ["v3:x"]);

        Assert.Equal("/v2/calls/v3%3Aa_b-C9/actions/hangup", _telnyx.Requests[0].Path);
        Assert.Equal("/v2/conferences/428c31b6-abf3-3bc1-b7f4-5013ef9657c1/actions/mute", _telnyx.Requests[1].Path);
    }

    public static TheoryData<string> NotIds => new() { "..", ".", "/", "a/b", "v3:a/../b", "v3:a?b", "v3:a#b", "conf id", "", "v3:a\n", new string('a', 257) };

    [Theory]
    [MemberData(nameof(NotIds))]
    public async Task AnIdOutsideTheRule_IsRefusedInEveryPathPosition_AndNothingIsSent(string id)
    {
        Func<Task>[] commands =
        [
            () => _client.AnswerAsync(id, null, "cmd-1"),
            () => _client.HangupAsync(id, "cmd-1"),
            () => _client.SpeakAsync(id, "hi", "female", "en-GB", "cmd-1"),
            () => _client.StartRecordingAsync(id, "mp3", "dual", "cmd-1"),
            () => _client.StopRecordingAsync(id, "cmd-1"),
            () => _client.JoinConferenceAsync(id, "v3:a", null, "cmd-1"),
            () => _client.MuteAsync(id, ["v3:a"]),
            () => _client.UnmuteAsync(id, ["v3:a"]),
            () => _client.HoldAsync(id, ["v3:a"], null),
            () => _client.UnholdAsync(id, ["v3:a"]),
            () => _client.ListParticipantsAsync(id),
        ];

        foreach (var command in commands)
        {
            var ex = await Assert.ThrowsAsync<TelnyxCommandException>(command);
            Assert.Equal(TelnyxFailure.InvalidRequest, ex.Failure);
        }

        Assert.Empty(_telnyx.Requests);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("")]
    public async Task AnIdFromTelnyxOutsideTheRule_IsNotTaken(string id)
    {
        _telnyx.Respond = (r, _) => Task.FromResult<HttpResponseMessage?>(r.Path == "/v2/calls"
            ? RecordingTelnyxHandler.Json(HttpStatusCode.OK, $$$"""{"data":{"call_control_id":"{{{id}}}"}}""")
            : RecordingTelnyxHandler.Json(HttpStatusCode.OK, $$$"""{"data":{"id":"{{{id}}}"}}"""));

        var dial = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.DialAsync("+15551234567", "+15559990000", "1", null, "cmd-1"));
        var create = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.CreateConferenceAsync("v3:a", "myconf", null, "cmd-2"));

        Assert.Equal(TelnyxFailure.InvalidResponse, dial.Failure);
        Assert.Equal(TelnyxFailure.InvalidResponse, create.Failure);
    }

    [Fact]
    public async Task EveryRequest_CarriesTheBearerKey()
    {
        await _client.AnswerAsync("v3:a", clientState: null, "cmd-1");

        Assert.Equal("Bearer k", _telnyx.Requests[0].Authorization);
        Assert.Equal(["command_id"], _telnyx.Requests[0].Json!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task UnholdWithoutAudio_LeavesTheFieldOut_HoldWithoutAudio_Too()
    {
        await _client.UnholdAsync("c", ["v3:a"]);
        await _client.HoldAsync("c", ["v3:a"], audioUrl: null);

        Assert.Equal(("/v2/conferences/c/actions/unhold", """{"call_control_ids":["v3:a"]}"""), (_telnyx.Requests[0].Path, _telnyx.Requests[0].Body));
        Assert.Equal(("/v2/conferences/c/actions/hold", """{"call_control_ids":["v3:a"]}"""), (_telnyx.Requests[1].Path, _telnyx.Requests[1].Body));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task HoldWithABlankAudioUrl_LeavesTheFieldOut(string audioUrl)
    {
        await _client.HoldAsync("c", ["v3:a"], audioUrl);

        Assert.Equal("""{"call_control_ids":["v3:a"]}""", _telnyx.Requests[0].Body);
    }

    [Fact]
    public async Task TelnyxErrors_AreSurfacedWithCodeTitleAndDetail()
    {
        _telnyx.Respond = (_, _) => Task.FromResult<HttpResponseMessage?>(RecordingTelnyxHandler.Json(HttpStatusCode.UnprocessableEntity,
            File.ReadAllText(TelnyxWebhooks.FixturePath("responses", "error_422_call_already_ended.json"))));

        var ex = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1"));

        Assert.Equal(TelnyxFailure.Rejected, ex.Failure);
        Assert.Equal(422, ex.StatusCode);
        Assert.True(ex.CallHasEnded);
        Assert.Equal("Call has already ended: This call is no longer active and can't receive commands. (90018)", ex.Reason);
    }

    [Fact]
    public async Task ErrorWithoutJson_GivesTheHttpStatus()
    {
        _telnyx.Respond = (_, _) => Task.FromResult<HttpResponseMessage?>(new HttpResponseMessage(HttpStatusCode.Forbidden));

        var ex = await Assert.ThrowsAsync<TelnyxCommandException>(() => _client.HangupAsync("v3:a", "cmd-1"));

        Assert.Equal("HTTP 403 Forbidden", ex.Reason);
        Assert.False(ex.CallHasEnded);
    }

    [Fact]
    public async Task Create_ReturnsTheConferenceIdOfTheAnswer()
    {
        _telnyx.Respond = (_, _) => Task.FromResult<HttpResponseMessage?>(RecordingTelnyxHandler.Json(HttpStatusCode.OK,
            File.ReadAllText(TelnyxWebhooks.FixturePath("responses", "conference_create.json"))));

        Assert.Equal("3fa85f64-5717-4562-b3fc-2c963f66afa6", await _client.CreateConferenceAsync("v3:a", "myconf", null, "cmd-1"));
    }

    [Fact]
    public async Task Dial_ReturnsTheNewLegsCallControlId()
    {
        Assert.Equal("v3:dialed-1", await _client.DialAsync("+15551234567", "+15559990000", "123", null, "cmd-1"));
    }

    [Fact]
    public async Task NoApiKey_NothingIsSent()
    {
        var options = Options.Create(new TelnyxOptions { ApiKey = "" });
        var client = new TelnyxClient(_http, options, TimeProvider.System, NullLogger<TelnyxClient>.Instance);

        var ex = await Assert.ThrowsAsync<TelnyxCommandException>(() => client.HangupAsync("v3:a", "cmd-1"));

        Assert.Equal(TelnyxFailure.NotConfigured, ex.Failure);
        Assert.Empty(_telnyx.Requests);
    }
}
