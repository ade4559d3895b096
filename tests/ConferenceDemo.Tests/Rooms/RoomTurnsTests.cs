using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Tests.Rooms;

public sealed class RoomTurnsTests
{
    [Fact]
    public async Task RunAsync_SameKey_RunsOneAtATimeInSubmissionOrder()
    {
        var sequencer = new RoomTurns();
        var order = new List<int>();
        var running = 0;
        var overlapped = false;

        var tasks = Enumerable.Range(0, 50).Select(i => sequencer.RunAsync("room", async () =>
        {
            overlapped |= Interlocked.Increment(ref running) > 1;
            await Task.Delay(i % 3);
            lock (order)
            {
                order.Add(i);
            }

            Interlocked.Decrement(ref running);
            return i;
        })).ToList();
        await Task.WhenAll(tasks);

        Assert.False(overlapped);
        Assert.Equal(Enumerable.Range(0, 50), order);
    }

    [Fact]
    public async Task RunAsync_OtherKey_DoesNotWaitBehindASlowRoom()
    {
        var sequencer = new RoomTurns();
        var release = new TaskCompletionSource();
        var slow = sequencer.RunAsync("slow", async () =>
        {
            await release.Task;
            return 1;
        });

        var other = await sequencer.RunAsync("other", () => Task.FromResult(2)).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(2, other);
        Assert.False(slow.IsCompleted);
        release.SetResult();
        Assert.Equal(1, await slow);
    }

    [Fact]
    public async Task RunAsync_AFailedItem_DoesNotStopTheItemsBehindIt()
    {
        var sequencer = new RoomTurns();
        var failing = sequencer.RunAsync<int>("room", () => throw new InvalidOperationException("boom"));
        var next = sequencer.RunAsync("room", () => Task.FromResult(7));

        await Assert.ThrowsAsync<InvalidOperationException>(() => failing);
        Assert.Equal(7, await next);
    }

    [Fact]
    public async Task WhenIdleAsync_WaitsForQueuedWork()
    {
        var sequencer = new RoomTurns();
        var done = 0;
        for (var i = 0; i < 5; i++)
        {
            _ = sequencer.RunAsync("room", async () =>
            {
                await Task.Delay(10);
                return Interlocked.Increment(ref done);
            });
        }

        await sequencer.WhenIdleAsync();

        Assert.Equal(5, done);
    }
}
