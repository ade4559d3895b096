using System.Net;
using System.Text.Json.Nodes;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Storage.Sqlite;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Moq;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Storage;

/// <summary>The webhook path on a durable store: written before 200, marked in the turn that applies it, refused when it cannot be written.</summary>
public sealed class DurableInboxTests : IAsyncLifetime
{
    private const string A = "v3:ccid-A";
    private readonly ConferenceDemoApplication _app = new();
    private readonly string _folder = Directory.CreateTempSubdirectory("conferencedemo-inbox-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task OnSqlite_TheAppliedEventAndTheAnsweredCommand_AreMarkedInTheFile()
    {
        var connectionString = $"Data Source={Path.Combine(_folder, "rooms.db")}";
        _app.Settings["Storage:Provider"] = "sqlite";
        _app.Settings["Storage:ConnectionString"] = connectionString;
        var initiated = Initiated(A);

        Expect.Commands(await _app.DeliverAsync(initiated), Expect.Answer(A));
        using (var again = await _app.PostWebhookAsync(initiated))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        }

        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.TakeNew());

        // Read by a second store on the same file, as a restarted server would.
        await using var file = new SqliteRoomStore(connectionString, _app.Clock);
        Assert.Empty(await file.UnappliedAsync());
        Assert.Empty(await file.UnansweredAsync());
        var id = JsonNode.Parse(initiated)!["data"]!["id"]!.GetValue<string>();
        Assert.False(await file.TryAddAsync(new InboxEntry(id, "myconf", new ConferenceDemo.Rooms.CallHungUp(A, null), _app.Clock.GetUtcNow())));
        Assert.Equal(_app.Telnyx.Requests[0].Json!["command_id"]!.GetValue<string>(), Assert.Single(await Outbox(connectionString)));
    }

    /// <summary>Every command id in the outbox, answered or not.</summary>
    private static async Task<IReadOnlyList<string>> Outbox(string connectionString)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT command_id FROM outbox";
        await using var reader = await command.ExecuteReaderAsync();
        var ids = new List<string>();
        while (await reader.ReadAsync())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    [Fact]
    public async Task AnEventTheStoreCannotWrite_Gets503_AndItsRedeliveryIsAppliedOnce()
    {
        var journal = new Mock<IRoomJournal>();
        journal.SetupSequence(j => j.TryAddAsync(It.IsAny<InboxEntry>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new SqliteException("database is locked", 5))
            .ReturnsAsync(true);
        journal.Setup(j => j.UnappliedAsync(It.IsAny<CancellationToken>())).ReturnsAsync([]);
        journal.Setup(j => j.UnansweredAsync(It.IsAny<CancellationToken>())).ReturnsAsync([]);
        _app.ReplaceServices = services =>
        {
            services.RemoveAll<IRoomJournal>();
            services.AddSingleton(journal.Object);
        };
        var initiated = Initiated(A);

        using (var refused = await _app.PostWebhookAsync(initiated))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Contains("could not be stored", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await _app.WhenIdleAsync();
        Assert.Empty(_app.Telnyx.TakeNew());
        Expect.Commands(await _app.DeliverAsync(initiated), Expect.Answer(A));
    }
}
