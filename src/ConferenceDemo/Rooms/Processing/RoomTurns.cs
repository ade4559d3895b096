namespace ConferenceDemo.Rooms.Processing;

/// <summary>
/// Runs the turns of one room one at a time, in the order they were submitted; different rooms run side by side.
/// Kestrel handles webhooks in parallel and Telnyx delivers them concurrently: this keeps a room's inputs in
/// arrival order. A turn only decides and commits; it never waits for Telnyx.
/// </summary>
public sealed class RoomTurns
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Task> _tails = new(StringComparer.Ordinal);

    /// <summary>Queues <paramref name="work"/> behind everything already queued for <paramref name="key"/>.</summary>
    public Task<T> RunAsync<T>(string key, Func<Task<T>> work)
    {
        lock (_gate)
        {
            var previous = _tails.GetValueOrDefault(key, Task.CompletedTask);
            var task = RunAfter(previous, work);

            // The tail never faults, so one failed item does not poison the items behind it.
            Task tail = task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            _tails[key] = tail;
            tail.ContinueWith(_ => Forget(key, tail), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return task;
        }
    }

    /// <summary>Completes when everything queued so far, and anything it queued in turn, has run.</summary>
    public async Task WhenIdleAsync(CancellationToken ct = default)
    {
        while (true)
        {
            Task[] pending;
            lock (_gate)
            {
                pending = [.. _tails.Values];
            }

            if (pending.Length == 0)
            {
                return;
            }

            await Task.WhenAll(pending).WaitAsync(ct);
        }
    }

    private static async Task<T> RunAfter<T>(Task previous, Func<Task<T>> work)
    {
        // Always yield: the work must never run inside the lock of RunAsync.
        await previous.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        return await work();
    }

    private void Forget(string key, Task tail)
    {
        lock (_gate)
        {
            if (_tails.TryGetValue(key, out var current) && current == tail)
            {
                _tails.Remove(key);
            }
        }
    }
}
