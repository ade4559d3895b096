using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Storage;
using ConferenceDemo.Storage.InMemory;
using ConferenceDemo.Storage.Postgres;
using ConferenceDemo.Storage.Sqlite;
using ConferenceDemo.Tests.Infrastructure;
using Npgsql;

namespace ConferenceDemo.Tests.Storage;

/// <summary>
/// What every room store promises, run against each provider: a turn commits the state, its indexes, its outbox
/// rows and its marks together; an event id is taken once; what was left undone is listed in order; marks make a
/// second decision of the same event or answer impossible; housekeeping forgets only what is old and finished.
/// </summary>
public abstract class RoomStoreContract : IAsyncLifetime
{
    protected const string RoomId = "myconf";
    protected static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

    protected Microsoft.Extensions.Time.Testing.FakeTimeProvider Clock { get; } = new(Start);

    protected IRoomStore Store { get; set; } = null!;

    protected IRoomJournal Journal => (IRoomJournal)Store;

    /// <summary>A store on this test's own empty database (or a new one on the same database, for reopen tests).</summary>
    protected abstract Task<IRoomStore> OpenAsync();

    public async Task InitializeAsync() => Store = await OpenAsync();

    public virtual async Task DisposeAsync()
    {
        if (Store is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync();
        }
    }

    /// <summary>A decision that seats a leg (and opens the conference), sending one command and publishing one event.</summary>
    protected static Func<Room, Decision> Seat(string leg, string conference = "conf-1") => room =>
    {
        var next = room with
        {
            Version = room.Version + 1,
            Phase = ConferencePhase.Live,
            ConferenceId = conference,
            Participants = room.Participants.Add(new Participant(leg, "+15550000001") { Status = ParticipantStatus.InRoom }),
        };
        return new Decision(next, [new Answer(leg, ClientStateTag.Caller(room.Id)) { Id = CommandIds.For(room.Epoch, next.Version, 0) }],
            [new ParticipantJoinedRoom(room.Id, next.Participants[^1])]);
    };

    protected static Func<Room, Decision> Remove(string leg) => room =>
    {
        var next = room with { Version = room.Version + 1, Participants = room.Participants.RemoveAll(p => p.CallControlId == leg) };
        return new Decision(next, [], []);
    };

    protected static Decision Unchanged(Room room) => new(room, [], []);

    protected InboxEntry Entry(string id, string leg) => new(id, RoomId, new CallAnswered(leg, "+15550000001", "+15559990000", false), Clock.GetUtcNow());

    [Fact]
    public async Task ATurn_CommitsTheStateWithItsVersionAndIndexes()
    {
        Assert.NotNull(await Store.DecideAsync(RoomId, Seat("v3:a"), default));
        await Store.DecideAsync(RoomId, Seat("v3:b"), default);

        var room = await Store.GetAsync(RoomId);
        Assert.NotNull(room);
        Assert.Equal(2, room.Version);
        Assert.Equal(["v3:a", "v3:b"], room.Participants.Select(p => p.CallControlId));
        Assert.Equal(RoomId, await Store.FindRoomOfConferenceAsync("conf-1"));
        Assert.Equal(RoomId, await Store.FindRoomOfLegAsync("v3:b"));
        Assert.Equal([RoomId], (await Store.ListAsync()).Select(r => r.Id));

        await Store.DecideAsync(RoomId, Remove("v3:a"), default);
        Assert.Null(await Store.FindRoomOfLegAsync("v3:a"));
        Assert.Equal(RoomId, await Store.FindRoomOfLegAsync("v3:b"));
        Assert.Null(await Store.FindRoomOfConferenceAsync("conf-other"));
    }

    [Fact]
    public async Task ADecisionThatChangesNothing_LeavesNoRoom()
    {
        var decision = await Store.DecideAsync(RoomId, Unchanged, default);

        Assert.NotNull(decision);
        Assert.Null(await Store.GetAsync(RoomId));
        Assert.Empty(await Store.ListAsync());
    }

    [Fact]
    public async Task TheEpoch_StaysTheSameOverTurns()
    {
        var first = (await Store.DecideAsync(RoomId, Seat("v3:a"), default))!.Room.Epoch;
        var second = (await Store.DecideAsync(RoomId, Seat("v3:b"), default))!.Room.Epoch;

        Assert.Equal(first, second);
        Assert.NotEqual(Guid.Empty, first);
    }

    [Fact]
    public async Task ConcurrentTurnsOfOneRoom_EachSeeThePreviousOne()
    {
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () => await Store.DecideAsync(RoomId, Seat($"v3:{i}"), default))));

        var room = await Store.GetAsync(RoomId);
        Assert.Equal(20, room!.Version);
        Assert.Equal(20, room.Participants.Select(p => p.CallControlId).Distinct().Count());
    }

    [Fact]
    public async Task AnEventId_IsTakenOnce_EvenAtTheSameMoment()
    {
        Assert.True(await Journal.TryAddAsync(Entry("evt-1", "v3:a")));
        Assert.False(await Journal.TryAddAsync(Entry("evt-1", "v3:a")));

        var racing = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(async () => await Journal.TryAddAsync(Entry("evt-2", "v3:b")))));
        Assert.Single(racing, added => added);
    }

    [Fact]
    public async Task UnappliedEvents_AreListedInArrivalOrder_UntilATurnMarksThem()
    {
        foreach (var (id, leg) in new[] { ("evt-3", "v3:c"), ("evt-1", "v3:a"), ("evt-2", "v3:b") })
        {
            await Journal.TryAddAsync(Entry(id, leg));
        }

        await Store.DecideAsync(RoomId, Seat("v3:a"), new TurnMarks(AppliedEvent: "evt-1"));

        var left = await Journal.UnappliedAsync();
        Assert.Equal(["evt-3", "evt-2"], left.Select(e => e.EventId));
        Assert.Equal(new CallAnswered("v3:c", "+15550000001", "+15559990000", false), left[0].Input);
        Assert.Equal(RoomId, left[0].Room);
        Assert.Equal(Start, left[0].ReceivedAt);
    }

    [Fact]
    public async Task AnAppliedEvent_IsNotDecidedAgain()
    {
        await Journal.TryAddAsync(Entry("evt-1", "v3:a"));
        await Store.DecideAsync(RoomId, Seat("v3:a"), new TurnMarks(AppliedEvent: "evt-1"));
        var decided = false;

        var again = await Store.DecideAsync(RoomId, room => { decided = true; return Seat("v3:a")(room); }, new TurnMarks(AppliedEvent: "evt-1"));

        Assert.Null(again);
        Assert.False(decided);
        Assert.Equal(1, (await Store.GetAsync(RoomId))!.Version);
    }

    [Fact]
    public async Task CommittedCommands_AreUnansweredUntilTheirAnswerIsDecided_ThenNeverAgain()
    {
        var decision = (await Store.DecideAsync(RoomId, Seat("v3:a"), default))!;
        var command = decision.Commands[0];

        var unanswered = await Journal.UnansweredAsync();
        Assert.Equal([command], unanswered.Select(e => e.Command));
        Assert.Equal(RoomId, unanswered[0].Room);

        Assert.NotNull(await Store.DecideAsync(RoomId, Unchanged, new TurnMarks(AnsweredCommand: command.Id)));
        Assert.Empty(await Journal.UnansweredAsync());
        Assert.Null(await Store.DecideAsync(RoomId, Unchanged, new TurnMarks(AnsweredCommand: command.Id)));
        Assert.Null(await Store.DecideAsync(RoomId, Unchanged, new TurnMarks(AnsweredCommand: "never-sent")));
    }

    [Fact]
    public async Task AFailedDecision_CommitsNothing()
    {
        await Journal.TryAddAsync(Entry("evt-1", "v3:a"));

        await Assert.ThrowsAsync<InvalidOperationException>(async () =>
            await Store.DecideAsync(RoomId, _ => throw new InvalidOperationException("rule bug"), new TurnMarks(AppliedEvent: "evt-1")));

        Assert.Null(await Store.GetAsync(RoomId));
        Assert.Equal(["evt-1"], (await Journal.UnappliedAsync()).Select(e => e.EventId));
        Assert.NotNull(await Store.DecideAsync(RoomId, Seat("v3:a"), new TurnMarks(AppliedEvent: "evt-1")));
    }

    [Fact]
    public async Task Housekeeping_ForgetsOldAppliedIdsAndOldAnsweredCommands_Only()
    {
        await Journal.TryAddAsync(Entry("old-applied", "v3:a"));
        await Journal.TryAddAsync(Entry("old-unapplied", "v3:b"));
        var sent = (await Store.DecideAsync(RoomId, Seat("v3:a"), new TurnMarks(AppliedEvent: "old-applied")))!.Commands[0];
        var pending = (await Store.DecideAsync(RoomId, Seat("v3:c"), default))!.Commands[0];
        await Store.DecideAsync(RoomId, Unchanged, new TurnMarks(AnsweredCommand: sent.Id));
        Clock.SetUtcNow(Start + TimeSpan.FromHours(25));
        await Journal.TryAddAsync(Entry("recent", "v3:d"));
        await Store.DecideAsync(RoomId, Unchanged, new TurnMarks(AppliedEvent: "recent"));

        var removed = await Journal.RemoveOldAsync(Clock.GetUtcNow() - TimeSpan.FromHours(24), Clock.GetUtcNow() - TimeSpan.FromDays(1));

        Assert.Equal((1, 1), removed);
        Assert.True(await Journal.TryAddAsync(Entry("old-applied", "v3:a")), "an id past the dedupe window is new again");
        Assert.False(await Journal.TryAddAsync(Entry("old-unapplied", "v3:b")), "an unapplied event is never forgotten");
        Assert.False(await Journal.TryAddAsync(Entry("recent", "v3:d")));
        Assert.Equal([pending.Id], (await Journal.UnansweredAsync()).Select(e => e.Command.Id));
    }
}

public sealed class InMemoryRoomStoreContractTests : RoomStoreContract
{
    protected override Task<IRoomStore> OpenAsync() => Task.FromResult<IRoomStore>(new InMemoryRoomStore(Clock));
}

public sealed class SqliteRoomStoreContractTests : RoomStoreContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("conferencedemo-sqlite-").FullName;

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "data", "rooms.db")}";

    protected override Task<IRoomStore> OpenAsync() => Task.FromResult<IRoomStore>(new SqliteRoomStore(ConnectionString, Clock));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AReopenedFile_HasTheRoomsInboxAndOutbox_AndTheSchemaOnce()
    {
        await Journal.TryAddAsync(Entry("evt-1", "v3:a"));
        await Journal.TryAddAsync(Entry("evt-2", "v3:b"));
        var command = (await Store.DecideAsync(RoomId, Seat("v3:a"), new TurnMarks(AppliedEvent: "evt-1")))!.Commands[0];
        await ((IAsyncDisposable)Store).DisposeAsync();

        var reopened = new SqliteRoomStore(ConnectionString, Clock);
        Store = reopened;

        Assert.Equal(["v3:a"], (await reopened.GetAsync(RoomId))!.Participants.Select(p => p.CallControlId));
        Assert.Equal(["evt-2"], (await reopened.UnappliedAsync()).Select(e => e.EventId));
        Assert.Equal([command.Id], (await reopened.UnansweredAsync()).Select(e => e.Command.Id));
        Assert.False(await reopened.TryAddAsync(Entry("evt-1", "v3:a")));
        await using var connection = reopened.Open();
        await using var versions = connection.CreateCommand();
        versions.CommandText = "SELECT COUNT(*), MAX(version) FROM schema_version";
        await using var reader = await versions.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(((long)SqliteSchema.Version, (long)SqliteSchema.Version), (reader.GetInt64(0), reader.GetInt64(1))); // each step once
    }

    [Fact]
    public async Task ABurstOfInboxWrites_SharesCommits()
    {
        var store = (SqliteRoomStore)Store;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () => await store.TryAddAsync(Entry($"evt-{i}", $"v3:{i}")))));

        var (commits, entries) = store.InboxWriter.Counts;
        Assert.Equal(200, entries);
        Assert.True(commits < entries, $"{commits} commits for {entries} entries");
        Assert.Equal(200, (await store.UnappliedAsync()).Count);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRoomStoreContractTests(PostgresServer server) : RoomStoreContract
{
    private string? _connectionString;
    private NpgsqlDataSource? _db;

    protected override async Task<IRoomStore> OpenAsync()
    {
        _connectionString ??= await server.CreateDatabaseAsync();
        _db ??= NpgsqlDataSource.Create(_connectionString);
        return new PostgresRoomStore(_db, Clock);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoStoresOnOneDatabase_SerializeTurnsOfOneRoom_AndShareTheInbox()
    {
        await using var other = (PostgresRoomStore)await OpenAsync();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            await (i % 2 == 0 ? Store : other).DecideAsync(RoomId, Seat($"v3:{i}"), default))));

        Assert.Equal(20, (await other.GetAsync(RoomId))!.Version);
        Assert.True(await Journal.TryAddAsync(Entry("evt-1", "v3:a")));
        Assert.False(await other.TryAddAsync(Entry("evt-1", "v3:a")));
    }

    [Fact]
    public async Task UnfinishedRows_OfARunningInstance_AreLeftToIt_AndTakenOverOnceItIsGone()
    {
        var first = (PostgresRoomStore)Store;
        await first.TryAddAsync(Entry("evt-1", "v3:a"));
        await first.DecideAsync(RoomId, Seat("v3:b"), default);
        await using (var second = (PostgresRoomStore)await OpenAsync())
        {
            Assert.Empty(await second.UnappliedAsync());
            Assert.Empty(await second.UnansweredAsync());
        }

        await first.DisposeAsync(); // its advisory lock goes with its connection, as with a crash
        var third = (PostgresRoomStore)await OpenAsync();
        Store = third;

        Assert.Equal(["evt-1"], (await third.UnappliedAsync()).Select(e => e.EventId));
        Assert.Single(await third.UnansweredAsync());
    }

    [Fact]
    public async Task ABurstOfInboxWrites_SharesCommits()
    {
        var store = (PostgresRoomStore)Store;

        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () => await store.TryAddAsync(Entry($"evt-{i}", $"v3:{i}")))));

        var (commits, entries) = store.InboxWriter.Counts;
        Assert.Equal(200, entries);
        Assert.True(commits < entries, $"{commits} commits for {entries} entries");
        Assert.Equal(200, (await store.UnappliedAsync()).Count);
    }

    [Fact]
    public async Task TheSchema_IsCreatedOnce_WhenInstancesStartTogether()
    {
        var connectionString = await server.CreateDatabaseAsync();
        await using var db = NpgsqlDataSource.Create(connectionString);

        var stores = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => new PostgresRoomStore(db, Clock))));
        foreach (var store in stores)
        {
            await store.DisposeAsync();
        }

        await using var count = db.CreateCommand("SELECT COUNT(*), MAX(version) FROM schema_version");
        await using var reader = await count.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(((long)PostgresSchema.Version, PostgresSchema.Version), (reader.GetInt64(0), reader.GetInt32(1))); // each step once
    }
}
