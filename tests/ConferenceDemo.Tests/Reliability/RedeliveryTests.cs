using System.Net;
using ConferenceDemo.Rooms;
using ConferenceDemo.Tests.Infrastructure;
using ConferenceDemo.Webhooks;
using Microsoft.Extensions.Time.Testing;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Reliability;

/// <summary>Telnyx's delivery as it is: at least once, in no guaranteed order.</summary>
public sealed class RedeliveryTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task SameEventDeliveredTwice_IsAnswered200BothTimes_AndAppliedOnce()
    {
        var answered = Answered(A, FromA);

        var first = await _app.DeliverAsync(answered);
        var second = await _app.DeliverAsync(answered);

        Expect.Commands(first, Expect.SpeakFirst(A), Expect.Create(A));
        Assert.Empty(second);
    }

    [Fact]
    public async Task SameEventDeliveredTwiceAtOnce_IsAppliedOnce()
    {
        var initiated = Initiated(A);

        var responses = await Task.WhenAll(_app.PostWebhookAsync(initiated), _app.PostWebhookAsync(initiated));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Answer(A));
    }

    [Fact]
    public async Task LeftBeforeJoined_TheLateJoinedDoesNotBringTheCallerBack()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);

        Expect.Commands(await _app.DeliverAsync(Left(B, "conf-1")));
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")));

        var room = await _app.RoomAsync();
        Assert.Equal([A], room.Participants.Select(p => p.CallControlId));
        Assert.True(room.Find(A)!.OnHold); // still alone, still on hold
    }

    [Fact]
    public async Task HangupBeforeAnswered_TheLateAnsweredOpensNothing()
    {
        Expect.Commands(await _app.DeliverAsync(Hangup(A)));
        Expect.Commands(await _app.DeliverAsync(Initiated(A)));
        Expect.Commands(await _app.DeliverAsync(Answered(A, FromA)));

        Assert.Empty((await _app.RoomAsync()).Participants);
        Assert.Null((await _app.RoomAsync()).ConferenceId);
    }

    [Fact]
    public async Task HangupBeforeLeft_TheRoomIsRebalancedOnce()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));

        Expect.Commands(await _app.DeliverAsync(Hangup(B)), Expect.Hold("conf-1", A));
        Expect.Commands(await _app.DeliverAsync(Left(B, "conf-1")));
    }

    [Fact]
    public async Task LateEventOfAnEndedConference_ChangesNothing()
    {
        await FirstCallerOpensConferenceAsync(_app);
        Expect.Commands(await _app.DeliverAsync(Ended("conf-1", A)));
        Expect.Commands(await _app.DeliverAsync(Answered("v3:ccid-new", FromB)), Expect.SpeakFirst("v3:ccid-new"), Expect.Create("v3:ccid-new"));

        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")));
        Expect.Commands(await _app.DeliverAsync(Left("v3:ccid-new", "conf-1")));

        var room = await _app.RoomAsync();
        Assert.Equal("conf-2", room.ConferenceId);
        Assert.Equal(["v3:ccid-new"], room.Participants.Select(p => p.CallControlId));
    }

    [Fact]
    public async Task SlowTelnyx_TwoSecondsPerCommand_DoesNotSlowTheWebhookAnswer()
    {
        var completed = 0;
        _app.Telnyx.Respond = async (_, ct) =>
        {
            await Task.Delay(TimeSpan.FromSeconds(2), _app.Clock, ct); // two seconds on the server's clock
            Interlocked.Increment(ref completed);
            return null;
        };

        // Each answer comes back while Telnyx is still working on the first command.
        using (var initiated = await _app.PostWebhookAsync(Initiated(A)))
        using (var answered = await _app.PostWebhookAsync(Answered(A, FromA)))
        {
            Assert.Equal(HttpStatusCode.OK, initiated.StatusCode);
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
            Assert.Equal(0, Volatile.Read(ref completed));
        }

        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Answer(A), Expect.SpeakFirst(A), Expect.Create(A));
    }

    [Fact]
    public async Task Shutdown_AppliesTheEventsAcceptedBeforeIt()
    {
        var app = new ConferenceDemoApplication();
        app.Telnyx.Respond = async (_, ct) =>
        {
            await Task.Delay(200, ct);
            return null;
        };
        using (var response = await app.PostWebhookAsync(Answered(A, FromA)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var telnyx = app.Telnyx;
        await app.DisposeAsync(); // stops the host

        Expect.Commands(telnyx.TakeNew(), Expect.SpeakFirst(A), Expect.Create(A));
    }
}
