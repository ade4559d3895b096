using System.Threading.Channels;
using ConferenceDemo.Rooms.Processing;

namespace ConferenceDemo.Storage;

/// <summary>
/// Inbox inserts that share commits: one writer takes everything waiting (up to <see cref="MaxBatch"/>) and writes it in
/// one transaction, so a burst of webhooks costs one flush to disk per batch rather than one per webhook. A caller
/// waits only for the commit that holds its event.
/// </summary>
public sealed class GroupCommit : IAsyncDisposable
{
    public const int MaxBatch = 512;

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<InboxEntry>, CancellationToken, Task<bool[]>> _writeBatch;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _writer;

    /// <param name="writeBatch">Writes the entries in one transaction; for each, true when it was new.</param>
    public GroupCommit(Func<IReadOnlyList<InboxEntry>, CancellationToken, Task<bool[]>> writeBatch)
    {
        _writeBatch = writeBatch;
        _writer = Task.Run(RunAsync);
    }

    private sealed record Pending(InboxEntry Entry, TaskCompletionSource<bool> Done);

    /// <summary>How many commits were made, and how many entries they held: for tests and diagnostics.</summary>
    public (long Commits, long Entries) Counts => (Interlocked.Read(ref _commits), Interlocked.Read(ref _entries));

    private long _commits;
    private long _entries;

    public async ValueTask<bool> AddAsync(InboxEntry entry, CancellationToken ct)
    {
        var pending = new Pending(entry, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(GroupCommit), "the store is shutting down");
        }

        // The entry may still be committed after the caller gives up; a redelivery then finds it as a duplicate.
        return await pending.Done.Task.WaitAsync(ct);
    }

    private async Task RunAsync()
    {
        var batch = new List<Pending>(MaxBatch);
        try
        {
            while (await _queue.Reader.WaitToReadAsync(_stop.Token))
            {
                while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var next))
                {
                    batch.Add(next);
                }

                try
                {
                    var added = await _writeBatch([.. batch.Select(p => p.Entry)], _stop.Token);
                    Interlocked.Increment(ref _commits);
                    Interlocked.Add(ref _entries, batch.Count);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        batch[i].Done.TrySetResult(added[i]);
                    }
                }
                catch (Exception ex)
                {
                    foreach (var pending in batch)
                    {
                        pending.Done.TrySetException(ex);
                    }
                }

                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }

        while (_queue.Reader.TryRead(out var left))
        {
            left.Done.TrySetException(new ObjectDisposedException(nameof(GroupCommit), "the store is shutting down"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        try
        {
            await _writer.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (TimeoutException)
        {
            await _stop.CancelAsync();
        }

        _stop.Dispose();
    }
}
