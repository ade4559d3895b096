using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Storage.InMemory;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Rooms;

/// <summary>Rooms are held only while deciding: a command hanging at Telnyx holds up nothing but what needs its answer.</summary>
public sealed class RoomProcessingTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    /// <summary>Ends the commands a test leaves hanging at Telnyx, before the host is stopped.</summary>
    private readonly CancellationTokenSource _release = new();

    public Task InitializeAsync()
    {
        _app.Settings["Processing:DrainTimeoutSeconds"] = "1";
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _release.CancelAsync();
        await _app.DisposeAsync();
        _release.Dispose();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, for at most <paramref name="seconds"/>.</summary>
    private static async Task EventuallyAsync(Func<bool> condition, double seconds = 5)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(deadline.Elapsed.TotalSeconds < seconds, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }

    [Fact]
    public async Task EveryCommandTakingFiveSeconds_ThreeCallersDialingAtOnce_AreAllAnsweredWithinASecondOfEachOther()
    {
        var clock = Stopwatch.StartNew();
        var answeredAt = new ConcurrentDictionary<string, TimeSpan>();
        _app.Telnyx.Respond = async (r, ct) =>
        {
            if (r.Path.EndsWith("/answer", StringComparison.Ordinal))
            {
                answeredAt[r.Path] = clock.Elapsed;
            }

            await Task.Delay(TimeSpan.FromSeconds(5), ct);
            return null;
        };

        var responses = await Task.WhenAll(new[] { A, B, C }.Select(leg => _app.PostWebhookAsync(Initiated(leg))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await EventuallyAsync(() => answeredAt.Count == 3);
        Assert.True(answeredAt.Values.Max() - answeredAt.Values.Min() < TimeSpan.FromSeconds(1),
            $"answers reached Telnyx at {string.Join(", ", answeredAt.Values.Select(t => $"{t.TotalSeconds:0.00} s"))}");
    }

    [Fact]
    public async Task OneCallersGreetingHanging_TheNextCallerIsAnswered_AndTheOwnersMuteCompletesAtOnce()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));

        _app.Telnyx.Respond = async (r, ct) =>
        {
            if (r.Path == Expect.Call(C, "speak"))
            {
                using var hanging = CancellationTokenSource.CreateLinkedTokenSource(ct, _release.Token);
                await Task.Delay(Timeout.Infinite, hanging.Token);
            }

            return null;
        };
        using (var answered = await _app.PostWebhookAsync(Answered(C, FromC)))
        {
            Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
        }

        await EventuallyAsync(() => _app.Telnyx.Requests.Any(r => r.Path == Expect.Call(C, "speak")));
        using (var initiated = await _app.PostWebhookAsync(Initiated("v3:ccid-D")))
        {
            Assert.Equal(HttpStatusCode.OK, initiated.StatusCode);
        }

        await EventuallyAsync(() => _app.Telnyx.Requests.Any(r => r.Path == Expect.Call("v3:ccid-D", "answer")), seconds: 2);
        var mute = await _app.GetAsync($"/telnyx-conf-v2/mute?participant={Uri.EscapeDataString(B)}").WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal((200, $"participant muted [{B}]"), mute);
        Assert.True((await _app.RoomAsync()).Find(B)!.Muted);
    }

    [Fact]
    public async Task OwnerActionMeetsCallHasEnded_TheLegIsDropped_AndTheOneLeftAloneGetsHoldMusic()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);
        Expect.Commands(await _app.DeliverAsync(Joined(B, "conf-1")), Expect.Unhold("conf-1", A));
        _app.Telnyx.FailOn(HttpStatusCode.UnprocessableEntity, "error_422_call_already_ended.json", Expect.Conference("conf-1", "mute"));

        var (status, _) = await _app.GetAsync($"/telnyx-conf-v2/mute?participant={Uri.EscapeDataString(B)}");
        await _app.WhenIdleAsync();

        Assert.Equal(410, status);
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Mute("conf-1", B), Expect.Hold("conf-1", A));
        var room = await _app.RoomAsync();
        Assert.Equal([A], room.Participants.Select(p => p.CallControlId));
        Assert.True(room.Find(A)!.OnHold);
    }

    [Fact]
    public async Task PastTheBoundOnWaitingEvents_AWebhookGets503_AndItsRedeliveryIsAcceptedLater()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var rooms = new InMemoryRoomStore();
        var store = new Mock<IRoomStore>();
        store.Setup(s => s.DecideAsync(It.IsAny<string>(), It.IsAny<Func<Room, Decision>>(), It.IsAny<TurnMarks>(), It.IsAny<CancellationToken>()))
            .Returns((string id, Func<Room, Decision> decide, TurnMarks marks, CancellationToken ct) => new ValueTask<Decision?>(HeldAsync(id, decide, marks, ct)));
        store.Setup(s => s.GetAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()))
            .Returns((string id, CancellationToken ct) => rooms.GetAsync(id, ct));
        store.Setup(s => s.ListAsync(It.IsAny<CancellationToken>())).Returns((CancellationToken ct) => rooms.ListAsync(ct));
        _app.Settings["Processing:MaxPendingEvents"] = "2";
        _app.ReplaceServices = services =>
        {
            services.RemoveAll<IRoomStore>();
            services.AddSingleton(store.Object);
        };

        async Task<Decision?> HeldAsync(string id, Func<Room, Decision> decide, TurnMarks marks, CancellationToken ct)
        {
            await gate.Task;
            return await rooms.DecideAsync(id, decide, marks, ct);
        }

        var third = Initiated(C);
        using (var first = await _app.PostWebhookAsync(Initiated(A)))
        using (var second = await _app.PostWebhookAsync(Initiated(B)))
        using (var refused = await _app.PostWebhookAsync(third))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }

        gate.SetResult();
        await _app.WhenIdleAsync();
        Expect.Commands(_app.Telnyx.TakeNew(), Expect.Answer(A), Expect.Answer(B));

        // Telnyx sends the refused webhook again, with the same event id: it is not taken for a duplicate.
        Expect.Commands(await _app.DeliverAsync(third), Expect.Answer(C));
    }

    [Fact]
    public async Task Shutdown_WithACommandHangingAtTelnyx_StopsWaitingAfterTheDrainTimeout()
    {
        // An application of its own: this test stops it, and the class's dispose must not stop it again.
        var app = new ConferenceDemoApplication();
        app.Settings["Processing:DrainTimeoutSeconds"] = "1";
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Telnyx.Respond = async (_, ct) =>
        {
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                cancelled.TrySetResult();
                throw;
            }

            return null;
        };
        using (var response = await app.PostWebhookAsync(Initiated(A)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        await EventuallyAsync(() => app.Telnyx.Requests.Count == 1);
        await app.DisposeAsync();

        // Once the drain timeout (1 s here) runs out, the command still hanging at Telnyx is abandoned (cancelled).
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(5));
    }
}
