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
/// What every catalog of API-created rooms promises, run against each provider: a room saved is read back exactly
/// (PINs included), listed by id, replaced by a second save, gone after a delete; a dial-in number reaches one room,
/// even when rooms claiming it are saved at the same moment.
/// </summary>
public abstract class RoomCatalogContract : IAsyncLifetime
{
    protected IRoomCatalog Catalog { get; private set; } = null!;

    /// <summary>A catalog on this test's own empty database.</summary>
    protected abstract Task<IRoomCatalog> OpenAsync();

    public async Task InitializeAsync() => Catalog = await OpenAsync();

    public virtual Task DisposeAsync() => Task.CompletedTask;

    /// <summary>A room with every option away from its default, and PINs a number type would change (leading zeros, 12 digits).</summary>
    protected static CatalogRoom Board(string id = "board", params string[] dialIn) => new(id, new RoomOptions
    {
        Name = "Board ✓ weekly",
        DialIn = string.Join(",", dialIn.Length > 0 ? dialIn : ["+15556660000", "+15556660001"]),
        Pin = "0042",
        ModeratorPin = "000000000917",
        MaxParticipants = 12,
        Beep = "on_exit",
        JoinMuted = true,
        WaitForModerator = true,
        EndWhenModeratorLeaves = true,
        AnnounceRecording = false,
        MaxDurationMinutes = 90,
        HoldAudioUrl = "https://example.com/board-hold.mp3",
        FirstCallerGreeting = "Hello, first.",
        LaterCallerGreeting = "Hello, later.",
        Voice = "male",
        Language = "de-DE",
        PullAllowedPrefixes = "+1555,+44",
    });

    /// <summary><paramref name="room"/> with <paramref name="change"/> made to a copy of its options.</summary>
    protected static CatalogRoom Changed(CatalogRoom room, Action<RoomOptions> change)
    {
        var options = StorageJson.Deserialize<RoomOptions>(StorageJson.Serialize(room.Options));
        change(options);
        return room with { Options = options };
    }

    [Fact]
    public async Task ASavedRoom_IsReadBackExactly_PinsIncluded()
    {
        var board = Board();

        Assert.Null(await Catalog.SaveAsync(board));

        var read = await Catalog.GetAsync("board");
        Assert.NotNull(read);
        Assert.Equal("0042", read.Options.Pin);
        Assert.Equal("000000000917", read.Options.ModeratorPin);
        Assert.Equal(["+15556660000", "+15556660001"], read.DialIn);
        Assert.Equal("+1555,+44", read.Options.PullAllowedPrefixes);
        Assert.Equal(StorageJson.Serialize(board), StorageJson.Serialize(read));
        Assert.Null(await Catalog.GetAsync("other"));
    }

    [Fact]
    public async Task Rooms_AreListedById()
    {
        Assert.Empty(await Catalog.ListAsync());
        await Catalog.SaveAsync(Board("zeta", "+15550000026"));
        await Catalog.SaveAsync(Board("alpha", "+15550000001"));
        await Catalog.SaveAsync(Board("mid", "+15550000013"));

        var rooms = await Catalog.ListAsync();

        Assert.Equal(["alpha", "mid", "zeta"], rooms.Select(r => r.Id));
        Assert.Equal(["+15550000001"], rooms[0].DialIn);
        Assert.All(rooms, r => Assert.Equal("0042", r.Options.Pin));
    }

    [Fact]
    public async Task ASecondSave_ReplacesTheRoom_AndFreesTheNumbersItDropped()
    {
        await Catalog.SaveAsync(Board());

        Assert.Null(await Catalog.SaveAsync(Changed(Board(dialIn: "+15556660001"), o => (o.Name, o.Pin) = ("Board, renamed", null))));

        var read = (await Catalog.GetAsync("board"))!;
        Assert.Equal("Board, renamed", read.Options.Name);
        Assert.Null(read.Options.Pin);
        Assert.Equal(["+15556660001"], read.DialIn);
        Assert.Single(await Catalog.ListAsync());
        Assert.Null(await Catalog.SaveAsync(Board("other", "+15556660000")));
        Assert.Equal("board", await Catalog.SaveAsync(Board("third", "+15556660001")));
    }

    [Fact]
    public async Task ANumber_LeadsToItsRoom_UntilTheRoomDropsItOrIsDeleted()
    {
        await Catalog.SaveAsync(Board());
        await Catalog.SaveAsync(Board("kept", "+15550000099"));

        Assert.Equal("board", await Catalog.RoomOfNumberAsync("+15556660001"));
        Assert.Equal("kept", await Catalog.RoomOfNumberAsync("+15550000099"));
        Assert.Null(await Catalog.RoomOfNumberAsync("+15550000000"));

        await Catalog.SaveAsync(Board(dialIn: "+15556660000"));
        Assert.Null(await Catalog.RoomOfNumberAsync("+15556660001"));
        await Catalog.DeleteAsync("board");
        Assert.Null(await Catalog.RoomOfNumberAsync("+15556660000"));
    }

    [Fact]
    public async Task ADeletedRoom_IsGone_AndItsNumbersAreFree()
    {
        await Catalog.SaveAsync(Board());
        await Catalog.SaveAsync(Board("kept", "+15550000099"));

        Assert.True(await Catalog.DeleteAsync("board"));
        Assert.False(await Catalog.DeleteAsync("board"));

        Assert.Null(await Catalog.GetAsync("board"));
        Assert.Equal(["kept"], (await Catalog.ListAsync()).Select(r => r.Id));
        Assert.Null(await Catalog.SaveAsync(Board("newcomer", "+15556660001")));
    }

    [Fact]
    public async Task ANumberOfAnotherRoom_IsRefused_AndNothingIsSaved()
    {
        await Catalog.SaveAsync(Board());
        await Catalog.SaveAsync(Board("other", "+15550000077"));

        Assert.Equal("board", await Catalog.SaveAsync(Board("newcomer", "+15550000088", "+15556660001")));
        Assert.Equal("board", await Catalog.SaveAsync(Changed(Board("other", "+15556660000"), o => o.Name = "changed")));

        Assert.Null(await Catalog.GetAsync("newcomer"));
        var other = (await Catalog.GetAsync("other"))!;
        Assert.Equal(["+15550000077"], other.DialIn);
        Assert.Equal("Board ✓ weekly", other.Options.Name);

        // The refused save claimed none of its numbers, not even those nobody had.
        Assert.Null(await Catalog.SaveAsync(Board("fourth", "+15550000088")));
    }

    [Fact]
    public async Task RoomsClaimingOneNumberAtOnce_OneIsSaved_TheOthersAreToldWhichOne()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            Task.Run(async () => (Id: $"room-{i}", Claimant: await Catalog.SaveAsync(Board($"room-{i}", $"+1555000010{i}", "+15559990042"))))));

        var saved = Assert.Single(results, r => r.Claimant is null);
        Assert.All(results.Where(r => r.Claimant is not null), r => Assert.Equal(saved.Id, r.Claimant));
        Assert.Equal([saved.Id], (await Catalog.ListAsync()).Select(r => r.Id));
    }

    [Fact]
    public async Task SavesOfOneRoomAtOnce_LeaveClaimedOnlyTheNumbersOfTheOneThatStays()
    {
        var numbers = Enumerable.Range(0, 8).Select(i => $"+1555000020{i}").ToArray();

        var results = await Task.WhenAll(numbers.Select(n => Task.Run(async () => await Catalog.SaveAsync(Board("board", n)))));

        Assert.All(results, Assert.Null);
        var kept = Assert.Single((await Catalog.GetAsync("board"))!.DialIn);
        Assert.Null(await Catalog.SaveAsync(Board("probe", [.. numbers.Where(n => n != kept)])));
        Assert.Equal("board", await Catalog.SaveAsync(Board("rival", kept)));
    }
}

public sealed class InMemoryRoomCatalogContractTests : RoomCatalogContract
{
    protected override Task<IRoomCatalog> OpenAsync() => Task.FromResult<IRoomCatalog>(new InMemoryRoomCatalog());
}

public sealed class SqliteRoomCatalogContractTests : RoomCatalogContract
{
    private readonly string _folder = Directory.CreateTempSubdirectory("conferencedemo-catalog-").FullName;
    private readonly List<SqliteRoomStore> _stores = [];

    private string ConnectionString => $"Data Source={Path.Combine(_folder, "rooms.db")}";

    protected override Task<IRoomCatalog> OpenAsync()
    {
        var store = new SqliteRoomStore(ConnectionString, TimeProvider.System);
        _stores.Add(store);
        return Task.FromResult<IRoomCatalog>(new SqliteRoomCatalog(store));
    }

    public override async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task AReopenedFile_HasTheRooms()
    {
        await Catalog.SaveAsync(Board());

        var reopened = await OpenAsync();

        Assert.Equal(StorageJson.Serialize(Board()), StorageJson.Serialize((await reopened.GetAsync("board"))!));
        Assert.Equal("board", await reopened.SaveAsync(Board("other", "+15556660000")));
    }

    [Fact]
    public async Task AFileOfTheFirstSchema_IsUpgraded_KeepingItsRooms()
    {
        var store = _stores[0];
        await store.DecideAsync("myconf", room => new Decision(room with { Version = 1, Locked = true }, [], []), default);
        await using (var connection = store.Open())
        await using (var downgrade = connection.CreateCommand())
        {
            downgrade.CommandText = "DROP TABLE room_settings; DROP TABLE room_dial_in; DELETE FROM schema_version WHERE version > 1;";
            await downgrade.ExecuteNonQueryAsync();
        }

        var upgraded = await OpenAsync();

        Assert.True((await _stores[^1].GetAsync("myconf"))!.Locked);
        Assert.Null(await upgraded.SaveAsync(Board()));
        Assert.Equal("0042", (await upgraded.GetAsync("board"))!.Options.Pin);
    }
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresRoomCatalogContractTests(PostgresServer server) : RoomCatalogContract
{
    private readonly List<NpgsqlDataSource> _sources = [];
    private string? _connectionString;

    /// <summary>Each call a catalog on a data source of its own, as a second instance has, on the same database.</summary>
    protected override async Task<IRoomCatalog> OpenAsync()
    {
        _connectionString ??= await server.CreateDatabaseAsync();
        var db = NpgsqlDataSource.Create(_connectionString);
        _sources.Add(db);
        PostgresSchema.Migrate(db);
        return new PostgresRoomCatalog(db);
    }

    public override async Task DisposeAsync()
    {
        foreach (var db in _sources)
        {
            await db.DisposeAsync();
        }
    }

    [Fact]
    public async Task TwoInstances_ClaimingOneNumberAtOnce_OneIsSaved()
    {
        var other = await OpenAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i => Task.Run(async () =>
            (Id: $"room-{i}", Claimant: await (i % 2 == 0 ? Catalog : other).SaveAsync(Board($"room-{i}", "+15559990042"))))));

        var saved = Assert.Single(results, r => r.Claimant is null);
        Assert.All(results.Where(r => r.Claimant is not null), r => Assert.Equal(saved.Id, r.Claimant));
        Assert.Equal(StorageJson.Serialize(Board(saved.Id, "+15559990042")), StorageJson.Serialize((await other.GetAsync(saved.Id))!));
    }
}
