using System.Net;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Control;

/// <summary>S4 and S5 of node-demo.md, and what each route answers when the request or Telnyx fails.</summary>
public sealed class ControlRouteTests : IAsyncLifetime
{
    private const string Prefix = "/telnyx-conf-v2";
    private static readonly string EncodedA = Uri.EscapeDataString(A);

    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task TwoInTheRoomAsync()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));
    }

    public static TheoryData<string, string> Actions => new()
    {
        { "mute", $"participant muted [{A}]" },
        { "unmute", $"participant unmuted [{A}]" },
        { "hold", $"participant on hold [{A}]" },
        { "unhold", $"participant resumed [{A}]" },
        { "record-start", $"recording started for {A}" },
        { "record-stop", $"recording stopped for {A}" },
    };

    private static (string Path, string Body) CommandFor(string action) => action switch
    {
        "mute" => Expect.Mute("conf-1", A),
        "unmute" => Expect.Unmute("conf-1", A),
        "hold" => Expect.Hold("conf-1", A),
        "unhold" => Expect.Unhold("conf-1", A),
        "record-start" => Expect.RecordStart(A),
        "record-stop" => Expect.RecordStop(A),
        _ => throw new ArgumentOutOfRangeException(nameof(action)),
    };

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task S4_ActionOnAParticipant_SendsTheCommandAndAnswersTheDemoText(string action, string text)
    {
        await TwoInTheRoomAsync();

        var response = await _app.GetAsync($"{Prefix}/{action}?participant={EncodedA}");

        Assert.Equal((200, text), response);
        Expect.Commands(_app.Telnyx.TakeNew(), CommandFor(action));
    }

    [Fact]
    public async Task S4_ActionsChangeWhatTheRoomRecords()
    {
        await TwoInTheRoomAsync();

        await _app.GetAsync($"{Prefix}/mute?participant={EncodedA}");
        await _app.GetAsync($"{Prefix}/hold?participant={EncodedA}");
        await _app.GetAsync($"{Prefix}/record-start?participant={EncodedA}");
        var a = (await _app.RoomAsync()).Find(A)!;
        Assert.True(a.Muted && a.OnHold && a.Recording);

        await _app.GetAsync($"{Prefix}/unmute?participant={EncodedA}");
        await _app.GetAsync($"{Prefix}/unhold?participant={EncodedA}");
        await _app.GetAsync($"{Prefix}/record-stop?participant={EncodedA}");
        a = (await _app.RoomAsync()).Find(A)!;
        Assert.False(a.Muted || a.OnHold || a.Recording);
    }

    [Fact]
    public async Task S4_Pull_DialsFromTheConfiguredNumber()
    {
        Assert.Equal((200, "calling +15551234567"), await _app.GetAsync($"{Prefix}/pull?number=%2B15551234567"));
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Dial("+15551234567"));
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task S4_MissingParticipant_Answers400AndSendsNothing(string action, string unused)
    {
        _ = unused;
        await TwoInTheRoomAsync();

        var (status, text) = await _app.GetAsync($"{Prefix}/{action}");

        Assert.Equal(400, status);
        Assert.Equal("missing query parameter 'participant'", text);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task UnknownParticipant_Answers404AndSendsNothing(string action, string unused)
    {
        _ = unused;
        await TwoInTheRoomAsync();

        var (status, text) = await _app.GetAsync($"{Prefix}/{action}?participant=v3:nobody");

        Assert.Equal(404, status);
        Assert.Equal("no participant v3:nobody in conference conf-1", text);
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Theory]
    [MemberData(nameof(Actions))]
    public async Task S5_NoConference_AnswersTheDemoTextWith404AndSendsNothing(string action, string unused)
    {
        _ = unused;
        Assert.Equal((404, ControlText.NoConference), await _app.GetAsync($"{Prefix}/{action}?participant={EncodedA}"));
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task S5_ListWithoutConference_Answers200WithTheDemoText()
    {
        using var client = _app.CreateControlClient();
        using var response = await client.GetAsync($"{Prefix}/list");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(ControlText.NoConference, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task S5_PullWithUnencodedPlus_Answers400SayingToEncodeIt()
    {
        var (status, text) = await _app.GetAsync($"{Prefix}/pull?number=+15551234567");

        Assert.Equal(400, status);
        Assert.Contains("%2B", text, StringComparison.Ordinal);
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Theory]
    [InlineData("", "missing query parameter 'number'")]
    [InlineData("?number=", "query parameter 'number' is empty")]
    [InlineData("?number=15551234567", "'15551234567' is not an E.164 number such as +15551234567")]
    [InlineData("?number=%2B1555abc", "'+1555abc' is not an E.164 number such as +15551234567")]
    [InlineData("?number=%2B1&number=%2B2", "give 'number' once")]
    public async Task Pull_BadNumber_Answers400AndDialsNothing(string query, string text)
    {
        Assert.Equal((400, text), await _app.GetAsync($"{Prefix}/pull{query}"));
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task S5_RepeatedParticipant_Answers400()
    {
        await TwoInTheRoomAsync();
        Assert.Equal((400, "give 'participant' once"), await _app.GetAsync($"{Prefix}/record-start?participant=x1&participant=y2"));
        Assert.Empty(_app.Telnyx.TakeNew());
    }

    [Fact]
    public async Task TelnyxRejectsTheCommand_Answers502WithTelnyxsTitleAndDetail_AndStateIsUnchanged()
    {
        await TwoInTheRoomAsync();
        _app.Telnyx.Respond = (_, _) => Task.FromResult<HttpResponseMessage?>(RecordingTelnyxHandler.Json(HttpStatusCode.NotFound,
            File.ReadAllText(FixturePath("responses", "error_404_conference_not_found.json"))));

        var (status, text) = await _app.GetAsync($"{Prefix}/mute?participant={EncodedA}");

        Assert.Equal(502, status);
        Assert.StartsWith("Telnyx error: ", text, StringComparison.Ordinal);
        Assert.Contains("90058", text, StringComparison.Ordinal);
        Assert.False((await _app.RoomAsync()).Find(A)!.Muted);
    }

    [Fact]
    public async Task TelnyxUnreachable_Answers502WithTheReason()
    {
        await TwoInTheRoomAsync();
        _app.Telnyx.Respond = (_, _) => throw new HttpRequestException("Connection refused (telnyx.test:443)");

        var (status, text) = await _app.GetAsync($"{Prefix}/hold?participant={EncodedA}");

        Assert.Equal(502, status);
        Assert.Matches(@"^Telnyx unreachable: Telnyx could not be reached: Connection refused \(telnyx\.test:443\) \(4 attempts over [0-9.]+ s\)$", text);
    }

    [Fact]
    public async Task TelnyxTooSlow_Answers504()
    {
        _app.Settings["Telnyx:CommandTimeoutSeconds"] = "1";
        _app.Settings["Telnyx:RetryMaxAttempts"] = "2";
        _app.Telnyx.Respond = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(30), _app.Clock, ct);
            return null;
        };

        var (status, text) = await _app.GetAsync($"{Prefix}/pull?number=%2B15551234567");

        Assert.Equal(504, status);
        Assert.Matches(@"^Telnyx timed out: Telnyx did not answer: 2 attempts over [0-9.]+ s \(TELNYX_COMMAND_TIMEOUT_SECONDS = 1 s an attempt, TELNYX_RETRY_BUDGET_SECONDS = 20 s in all\)$", text);
        Assert.Equal(2, _app.Telnyx.Requests.Count);
    }

    [Fact]
    public async Task CallAlreadyEnded_Answers410AndDropsTheParticipant()
    {
        await TwoInTheRoomAsync();
        _app.Telnyx.Respond = (_, _) => Task.FromResult<HttpResponseMessage?>(RecordingTelnyxHandler.Json(HttpStatusCode.UnprocessableEntity,
            File.ReadAllText(FixturePath("responses", "error_422_call_already_ended.json"))));

        var (status, text) = await _app.GetAsync($"{Prefix}/mute?participant={EncodedA}");

        Assert.Equal(410, status);
        Assert.Contains("Call has already ended", text, StringComparison.Ordinal);
        Assert.Null((await _app.RoomAsync()).Find(A));
    }

    [Fact]
    public async Task NoApiKey_CommandsFailWith503AndNothingIsSent()
    {
        _app.Settings["Telnyx:ApiKey"] = null;

        Assert.Equal((503, "not configured: TELNYX_API_KEY is not set"), await _app.GetAsync($"{Prefix}/pull?number=%2B15551234567"));
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task PullWithoutPhoneNumber_Answers503NamingTheSetting()
    {
        _app.Settings["Telnyx:PhoneNumber"] = null;

        var (status, text) = await _app.GetAsync($"{Prefix}/pull?number=%2B15551234567");

        Assert.Equal(503, status);
        Assert.Contains("TELNYX_PHONE_NUMBER", text, StringComparison.Ordinal);
        Assert.Empty(_app.Telnyx.Requests);
    }

    [Fact]
    public async Task Healthz_AnswersHealthy()
    {
        Assert.Equal((200, "Healthy"), await _app.GetAsync("/healthz"));
    }
}
