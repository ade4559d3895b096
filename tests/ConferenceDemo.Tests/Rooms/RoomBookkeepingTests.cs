using System.Net;
using ConferenceDemo.Rooms;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Rooms;

/// <summary>Hold and membership decided on who is in the room (the demo's B8–B10), and events that are not ours.</summary>
public sealed class RoomBookkeepingTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => FirstCallerOpensConferenceAsync(_app);

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task CallerWhoHangsUpBeforeJoining_IsRemovedAndDoesNotCountTowardsHold()
    {
        await CallerJoinsAsync(_app, B, FromB);      // answered, join sent, never joined
        Expect.Commands(await _app.DeliverAsync(Hangup(B)));
        Assert.Null((await _app.RoomAsync()).Find(B));

        // A is still alone on hold; C's arrival is what releases A, and exactly once.
        await CallerJoinsAsync(_app, C, FromC);
        Expect.Commands(await _app.DeliverAsync(Joined(C, "conf-1")), Expect.Unhold("conf-1", A));
        var room = await _app.RoomAsync();
        Assert.Equal([A, C], room.Participants.Select(p => p.CallControlId));
        Assert.All(room.Participants, p => Assert.False(p.OnHold));
    }

    [Fact]
    public async Task AnsweredButNotJoinedCaller_DoesNotReleaseTheHeldCaller()
    {
        await CallerJoinsAsync(_app, B, FromB);

        var room = await _app.RoomAsync();
        Assert.True(room.Find(A)!.OnHold);
        Assert.Equal(ParticipantStatus.Joining, room.Find(B)!.Status);
    }

    [Fact]
    public async Task RepeatedJoined_SendsNothingMore()
    {
        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));

        // B9: the demo sent unhold ["false"] here.
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")));
        Expect.Commands(await _app.DeliverAsync(Joined(A, "conf-1")));
    }

    [Fact]
    public async Task RepeatedAnswered_DoesNotGreetOrJoinTwice()
    {
        Expect.Commands(await _app.DeliverAsync(Answered(A, FromA)));
        Assert.Single((await _app.RoomAsync()).Participants);
    }

    [Fact]
    public async Task EventsOfAnotherConference_AreIgnored()
    {
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-other")));
        Expect.Commands(await _app.DeliverAsync(Left(A, "conf-other")));
        Expect.Commands(await _app.DeliverAsync(Ended("conf-other", A)));

        var room = await _app.RoomAsync();
        Assert.Equal("conf-1", room.ConferenceId);
        Assert.Equal([A], room.Participants.Select(p => p.CallControlId));
    }

    [Fact]
    public async Task ConferenceEnded_ForgetsTheConference_AndTheNextCallerOpensANewOne()
    {
        Expect.Commands(await _app.DeliverAsync(Ended("conf-1", A)));
        Assert.Equal((200, ControlText.NoConference), await _app.GetAsync("/telnyx-conf-v2/list"));

        Expect.Commands(await _app.DeliverAsync(Answered(B, FromB)), Expect.SpeakFirst(B), Expect.Create(B));
        Assert.Equal("conf-2", (await _app.RoomAsync()).ConferenceId);
    }

    [Fact]
    public async Task HangupOfTheLastParticipant_ForgetsTheConference()
    {
        Expect.Commands(await _app.DeliverAsync(Hangup(A)));
        Assert.Equal((200, ControlText.NoConference), await _app.GetAsync("/telnyx-conf-v2/list"));

        // The left that follows the hangup is about a conference we no longer have: nothing happens.
        Expect.Commands(await _app.DeliverAsync(Left(A, "conf-1")));
    }

    [Fact]
    public async Task CallerWhoHangsUpDuringTheGreeting_IsDroppedAndNotHungUpAgain()
    {
        // The greeting and the join go out together (as in the Node demo); Telnyx says the call has ended.
        _app.Telnyx.FailOn(HttpStatusCode.UnprocessableEntity, "error_422_call_already_ended.json", Expect.Call(B, "speak"));

        Expect.Commands(await _app.DeliverAsync(Answered(B, FromB)), Expect.SpeakLater(B), Expect.Join("conf-1", B));
        var room = await _app.RoomAsync();
        Assert.Null(room.Find(B));
        Assert.True(room.HasDeparted(B));
        Assert.Equal([A], room.Participants.Select(p => p.CallControlId));
    }

    [Fact]
    public async Task FirstCallerWhoHangsUpDuringTheGreeting_LeavesNoConference()
    {
        await using var app = new ConferenceDemoApplication();
        app.Telnyx.FailOn(HttpStatusCode.UnprocessableEntity, "error_422_call_already_ended.json", "/v2/conferences", Expect.Call(C, "speak"));

        Expect.Commands(await app.DeliverAsync(Answered(C, FromC)), Expect.SpeakFirst(C), Expect.Create(C));

        var room = await app.RoomAsync();
        Assert.Null(room.ConferenceId);
        Assert.Empty(room.Participants);
    }

    [Fact]
    public async Task JoinRejectedAsFull_TellsThatCallerAndHangsUp_AndKeepsTheConference()
    {
        _app.Telnyx.FailOn(HttpStatusCode.UnprocessableEntity, "error_422_max_participants_reached.json", Expect.Conference("conf-1", "join"));

        Expect.Commands(await _app.DeliverAsync(Answered(B, FromB)), Expect.SpeakLater(B), Expect.Join("conf-1", B),
            Expect.Speak(B, "This conference is full. Goodbye."));
        Expect.Commands(await _app.DeliverAsync(SpeakEnded(B)), Expect.Hangup(B));
        var room = await _app.RoomAsync();
        Assert.Equal("conf-1", room.ConferenceId);
        Assert.Equal([A], room.Participants.Select(p => p.CallControlId));
    }

    [Fact]
    public async Task JoinRejected_HangsUpThatCallerAndKeepsTheConference()
    {
        _app.Telnyx.FailOn(HttpStatusCode.UnprocessableEntity, "error_422_invalid_call_control_id.json", Expect.Conference("conf-1", "join"));

        Expect.Commands(await _app.DeliverAsync(Answered(B, FromB)), Expect.SpeakLater(B), Expect.Join("conf-1", B), Expect.Hangup(B));
        var room = await _app.RoomAsync();
        Assert.Equal("conf-1", room.ConferenceId);
        Assert.Equal([A], room.Participants.Select(p => p.CallControlId));
    }

    [Fact]
    public async Task HeldCallerWhoseHoldFailsBecauseTheCallEnded_IsDropped()
    {
        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));
        _app.Telnyx.FailOn(HttpStatusCode.UnprocessableEntity, "error_422_call_already_ended.json", Expect.Conference("conf-1", "hold"));

        Expect.Commands(await _app.DeliverAsync(Left(B, "conf-1")), Expect.Hold("conf-1", A));

        Assert.Equal((200, ControlText.NoConference), await _app.GetAsync("/telnyx-conf-v2/list"));
    }
}
