using System.Net;
using ConferenceDemo.Rooms;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Rooms;

/// <summary>
/// The recorded runs S1–S9b of node-demo.md replayed through the real webhook path (signed, verified, parsed) with
/// Telnyx faked at the HTTP boundary. Each step asserts the commands it sent and what list answers, with the demo's
/// bugs fixed where the issue says so.
/// </summary>
public sealed class CallFlowScenarioTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private Task<(int Status, string Text)> ListAsync() => _app.GetAsync("/telnyx-conf-v2/list");

    private static string ListText(string conference, params (string Ccid, string Number)[] participants) =>
        $"Conference ID: {conference}\n\nParticipant List: \n" + string.Concat(participants.Select(p => $"{p.Ccid} - [{p.Number}] \n"));

    [Fact]
    public async Task S1_OneInboundCaller_IsAnsweredGreetedPutInANewConferenceAndHeld()
    {
        await FirstCallerOpensConferenceAsync(_app);

        Assert.Equal((200, ListText("conf-1", (A, FromA))), await ListAsync());
    }

    [Fact]
    public async Task S2_SecondCaller_JoinsTheConferenceAndReleasesTheFirstFromHold()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);

        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));
        Assert.Equal((200, ListText("conf-1", (A, FromA), (B, FromB))), await ListAsync());
    }

    [Fact]
    public async Task S3_ThreeCallersLeave_TheLastOneIsHeldAndTheEmptyConferenceIsForgotten()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));
        await CallerJoinsAsync(_app, C, FromC);
        Expect.Commands(await _app.DeliverAsync(Joined(C, "conf-1")));
        Assert.Equal((200, ListText("conf-1", (A, FromA), (B, FromB), (C, FromC))), await ListAsync());

        Expect.Commands(await _app.DeliverAsync(Left(B, "conf-1")));
        Assert.Equal((200, ListText("conf-1", (A, FromA), (C, FromC))), await ListAsync());

        Expect.Commands(await _app.DeliverAsync(Left(C, "conf-1")), Expect.Hold("conf-1", A));
        Assert.Equal((200, ListText("conf-1", (A, FromA))), await ListAsync());

        Expect.Commands(await _app.DeliverAsync(Left(A, "conf-1")));
        Assert.Equal((200, ControlText.NoConference), await ListAsync());

        // The next caller (a new leg: Telnyx never reuses a call_control_id) opens a new conference.
        const string E = "v3:ccid-E";
        Expect.Commands(await _app.DeliverAsync(Answered(E, FromB)), Expect.SpeakFirst(E), Expect.Create(E));
        Assert.Equal((200, ListText("conf-2", (E, FromB))), await ListAsync());
    }

    [Fact]
    public async Task S6_DialedLeg_IsNotAnsweredJoinsWithItsDialedNumberAndReleasesTheHeldCaller()
    {
        await FirstCallerOpensConferenceAsync(_app);

        Assert.Equal((200, $"calling {Dialed}"), await _app.GetAsync("/telnyx-conf-v2/pull?number=%2B15557654321"));
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Dial(Dialed));

        // B1 fixed: Telnyx refuses answer on an outgoing leg, so nothing is sent for it.
        Expect.Commands(await _app.DeliverAsync(Initiated(D, "outgoing", from: ConferenceDemoApplication.PhoneNumber, to: Dialed,
            clientState: ClientStateTag.Dialed("myconf"))));
        Expect.Commands(await _app.DeliverAsync(Answered(D, ConferenceDemoApplication.PhoneNumber, Dialed, ClientStateTag.Dialed("myconf"))),
            Expect.SpeakLater(D), Expect.Join("conf-1", D));
        Expect.Commands(await _app.DeliverAsync(Joined(D, "conf-1")), Expect.Unhold("conf-1", A));

        Assert.Equal((200, ListText("conf-1", (A, FromA), (D, Dialed))), await ListAsync());
    }

    [Fact]
    public async Task S6b_DialedLegAsFirstParticipant_OpensTheConferenceUnderItsDialedNumber()
    {
        Assert.Equal((200, $"calling {Dialed}"), await _app.GetAsync("/telnyx-conf-v2/pull?number=%2B15557654321"));
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Dial(Dialed));

        Expect.Commands(await _app.DeliverAsync(Initiated(D, "outgoing", to: Dialed, clientState: ClientStateTag.Dialed("myconf"))));
        Expect.Commands(await _app.DeliverAsync(Answered(D, ConferenceDemoApplication.PhoneNumber, Dialed, ClientStateTag.Dialed("myconf"))),
            Expect.SpeakFirst(D), Expect.Create(D));
        Expect.Commands(await _app.DeliverAsync(Joined(D, "conf-1")), Expect.Hold("conf-1", D));

        Assert.Equal((200, ListText("conf-1", (D, Dialed))), await ListAsync());
    }

    [Fact]
    public async Task AnsweredCallWithSomeoneElsesClientState_IsStillTreatedAsInbound()
    {
        // The demo stored "to" for any non-empty client_state; only our own dial marker means "we dialed it".
        Expect.Commands(await _app.DeliverAsync(Answered(A, FromA, clientState: "aGF2ZSBhIG5pY2UgZGF5ID1d")),
            Expect.SpeakFirst(A), Expect.Create(A));

        Assert.Equal((200, ListText("conf-1", (A, FromA))), await ListAsync());
    }

    [Fact]
    public async Task S8_CreateRejected_HangsUpTheCallerAndLeavesNoConference()
    {
        _app.Telnyx.FailOn(HttpStatusCode.UnprocessableEntity, "error_422_invalid_call_control_id.json", "/v2/conferences");

        Expect.Commands(await _app.DeliverAsync(Answered(A, FromA)), Expect.SpeakFirst(A), Expect.Create(A), Expect.Hangup(A));

        Assert.Equal((200, ControlText.NoConference), await ListAsync());
        var room = await _app.RoomAsync();
        Assert.Null(room.ConferenceId);
        Assert.Empty(room.Participants);
    }

    [Theory]
    [InlineData("")]                                   // S8b: empty 2xx body crashed the demo
    [InlineData("""{"data":{"name":"myconf"}}""")]     // S8c: data without id gave conference "undefined"
    [InlineData("not json at all")]
    [InlineData("""{"data":null}""")]
    public async Task S8b_S8c_CreateAnsweredWithoutAnId_HangsUpTheCallerAndLeavesNoConference(string answer)
    {
        _app.Telnyx.AnswerOn(HttpStatusCode.OK, answer, "/v2/conferences");

        Expect.Commands(await _app.DeliverAsync(Answered(A, FromA)), Expect.SpeakFirst(A), Expect.Create(A), Expect.Hangup(A));

        Assert.Equal((200, ControlText.NoConference), await ListAsync());
        Assert.Null((await _app.RoomAsync()).ConferenceId);

        // The server is alive and the next caller gets a working conference.
        _app.Telnyx.Respond = null;
        Expect.Commands(await _app.DeliverAsync(Answered(B, FromB)), Expect.SpeakFirst(B), Expect.Create(B));
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Hold("conf-1", B));
        Assert.DoesNotContain(_app.Telnyx.Requests, r => r.Path.Contains("undefined", StringComparison.Ordinal));
    }

    [Fact]
    public async Task S8_CreateUnreachable_HangsUpTheCallerAndLeavesNoConference()
    {
        _app.Telnyx.Respond = (r, _) => r.Path == "/v2/conferences"
            ? throw new HttpRequestException("Connection refused (telnyx.test:443)")
            : Task.FromResult<HttpResponseMessage?>(null);

        // Retried to the limit (4 attempts, one logical command: the same command_id), then the caller is hung up.
        var sent = await _app.DeliverAsync(Answered(A, FromA));
        Expect.Commands(sent, Expect.SpeakFirst(A), Expect.Create(A), Expect.Create(A), Expect.Create(A), Expect.Create(A), Expect.Hangup(A));
        Assert.Single(sent.Where(r => r.Path == "/v2/conferences").Select(r => r.Json!["command_id"]!.GetValue<string>()).Distinct());

        Assert.Equal((200, ControlText.NoConference), await ListAsync());
    }

    [Fact]
    public async Task S9_SecondCallerAnsweredWhileTheCreateIsInFlight_JoinsTheSameConference_ExactlyOneCreate()
    {
        _app.Telnyx.DelayOn("/v2/conferences", 250);

        using (var a = await _app.PostWebhookAsync(Answered(A, FromA)))
        using (var b = await _app.PostWebhookAsync(Answered(B, FromB)))
        {
            Assert.Equal(HttpStatusCode.OK, a.StatusCode);
            Assert.Equal(HttpStatusCode.OK, b.StatusCode);
        }

        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.SpeakFirst(A), Expect.Create(A), Expect.SpeakLater(B), Expect.Join("conf-1", B));
        Assert.Equal((200, ListText("conf-1", (A, FromA), (B, FromB))), await ListAsync());
    }

    [Fact]
    public async Task S9b_JoinedArrivesBeforeTheCreateAnswer_HoldGoesToTheRightConference()
    {
        _app.Telnyx.DelayOn("/v2/conferences", 300);

        using (var answered = await _app.PostWebhookAsync(Answered(A, FromA)))
        using (var joined = await _app.PostWebhookAsync(Joined(A, "conf-1")))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
        }

        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.SpeakFirst(A), Expect.Create(A), Expect.Hold("conf-1", A));

        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));
        Assert.DoesNotContain(_app.Telnyx.Requests, r => r.Path.Contains("no-conf", StringComparison.Ordinal));
    }
}
