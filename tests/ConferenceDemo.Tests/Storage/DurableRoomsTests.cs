using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ConferenceDemo.Rooms;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Storage;

/// <summary>What a room created with PUT /api/rooms/{id} looks like, and the calls a test makes to it.</summary>
internal static class ApiRoom
{
    public const string Number = "+15556660000";
    public const string Pin = "0042719358";
    public const string ModeratorPin = "000000000917";

    public static object Body(string number = Number) => new
    {
        name = "Board",
        dial_in = new[] { number },
        pin = Pin,
        moderator_pin = ModeratorPin,
        max_participants = 5,
        join_muted = true,
    };

    public static async Task<HttpStatusCode> PutAsync(ConferenceDemoApplication app, string id, object body)
    {
        using var client = app.CreateControlClient();
        using var response = await client.PutAsJsonAsync($"/api/rooms/{id}", body);
        return response.StatusCode;
    }

    public static async Task<HttpStatusCode> DeleteAsync(ConferenceDemoApplication app, string id)
    {
        using var client = app.CreateControlClient();
        using var response = await client.DeleteAsync($"/api/rooms/{id}");
        return response.StatusCode;
    }

    /// <summary>GET /api/rooms/{id}: checks the room is there with its settings and without its PINs.</summary>
    public static async Task AssertServedAsync(ConferenceDemoApplication app, string id)
    {
        var (status, text) = await app.GetAsync($"/api/rooms/{id}");
        Assert.True(status == 200, text);
        var room = JsonNode.Parse(text)!;
        Assert.Equal("Board", room["name"]!.GetValue<string>());
        Assert.Equal([Number], room["dial_in"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.True(room["has_pin"]!.GetValue<bool>());
        Assert.True(room["has_moderator_pin"]!.GetValue<bool>());
        Assert.Equal(5, room["max_participants"]!.GetValue<int>());
        Assert.DoesNotContain(Pin, text, StringComparison.Ordinal);
        Assert.DoesNotContain(ModeratorPin, text, StringComparison.Ordinal);
    }

    public static async Task<IReadOnlyList<string>> ListedAsync(ConferenceDemoApplication app)
    {
        var (status, text) = await app.GetAsync("/api/rooms");
        Assert.True(status == 200, text);
        return [.. JsonNode.Parse(text)!["rooms"]!.AsArray().Select(r => r!["id"]!.GetValue<string>())];
    }

    /// <summary>Neither PIN in anything the server logged, in either log format.</summary>
    public static void AssertNoPinLogged(ConferenceDemoApplication app)
    {
        Assert.NotEmpty(app.Log.Events);
        foreach (var format in new[] { ConferenceDemo.Hosting.LogFormat.Text, ConferenceDemo.Hosting.LogFormat.Json })
        {
            var output = app.Log.Render(format);
            Assert.DoesNotContain(Pin, output, StringComparison.Ordinal);
            Assert.DoesNotContain(ModeratorPin, output, StringComparison.Ordinal);
        }
    }
}

/// <summary>A room created through the API on SQLite is still there, and still reached by its number, after a restart.</summary>
public sealed class SqliteDurableRoomsTests : IAsyncLifetime
{
    private readonly string _folder = Directory.CreateTempSubdirectory("conferencedemo-rooms-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
        return Task.CompletedTask;
    }

    private ConferenceDemoApplication Host()
    {
        var app = new ConferenceDemoApplication();
        app.Settings["Storage:Provider"] = "sqlite";
        app.Settings["Storage:ConnectionString"] = $"Data Source={Path.Combine(_folder, "conferencedemo.db")}";
        app.Settings["Serilog:MinimumLevel:Default"] = "Debug"; // everything the server says, for the PIN check
        return app;
    }

    [Fact]
    public async Task ARoomPut_BeforeARestart_IsServedAndReachedAfterIt_WithItsPin()
    {
        await using (var before = Host())
        {
            Assert.Equal(HttpStatusCode.Created, await ApiRoom.PutAsync(before, "board", ApiRoom.Body()));
            Assert.Equal(HttpStatusCode.Created, await ApiRoom.PutAsync(before, "gone", ApiRoom.Body("+15556660099")));
            Assert.Equal(HttpStatusCode.NoContent, await ApiRoom.DeleteAsync(before, "gone"));
            ApiRoom.AssertNoPinLogged(before);
        }

        await using var after = Host();

        await ApiRoom.AssertServedAsync(after, "board");
        Assert.Equal(["myconf", "board"], await ApiRoom.ListedAsync(after));
        Assert.Equal(HttpStatusCode.OK, await ApiRoom.PutAsync(after, "board", ApiRoom.Body()));
        Assert.Equal(HttpStatusCode.BadRequest, await ApiRoom.PutAsync(after, "rival", ApiRoom.Body()));

        const string Leg = "v3:board-after-restart";
        Expect.Commands(await after.DeliverAsync(Initiated(Leg, to: ApiRoom.Number)), Expect.Answer(Leg, "board"));
        Expect.Commands(await after.DeliverAsync(Answered(Leg, "+15550000031", ApiRoom.Number)), (Expect.Call(Leg, "gather_using_speak"),
            """{"payload":"Please enter the conference PIN, then press pound.","voice":"female","language":"en-GB","maximum_digits":12,"terminating_digit":"#","valid_digits":"0123456789"}"""));
        Expect.Commands(await after.DeliverAsync(GatherEnded(Leg, ApiRoom.Pin, clientState: ClientStateTag.Caller("board"))), Expect.SpeakFirst(Leg),
            ("/v2/conferences", $$"""{"call_control_id":"{{Leg}}","name":"board","client_state":"{{ClientStateTag.Seat("board")}}","max_participants":5}"""),
            Expect.Mute("conf-1", Leg)); // join_muted: the member who opened it is muted once seated

        // The deleted room stays deleted: its number reaches the default room.
        Expect.Commands(await after.DeliverAsync(Initiated("v3:to-gone", to: "+15556660099")), Expect.Answer("v3:to-gone"));
        ApiRoom.AssertNoPinLogged(after);
    }

    [Fact]
    public async Task ARoomPut_TakesWhatItLeavesUnset_FromTheServersSettingsAsTheyAreNow()
    {
        await using (var before = Host())
        {
            Assert.Equal(HttpStatusCode.Created, await ApiRoom.PutAsync(before, "board", ApiRoom.Body()));
        }

        // Restarted with another default voice and language: the room, which set neither, speaks with them.
        await using var after = Host();
        after.Settings["Conference:Voice"] = "male";
        after.Settings["Conference:Language"] = "de-DE";
        const string Leg = "v3:board-new-defaults";
        await after.DeliverAsync(Initiated(Leg, to: ApiRoom.Number));
        Expect.Commands(await after.DeliverAsync(Answered(Leg, "+15550000031", ApiRoom.Number)), (Expect.Call(Leg, "gather_using_speak"),
            """{"payload":"Please enter the conference PIN, then press pound.","voice":"male","language":"de-DE","maximum_digits":12,"terminating_digit":"#","valid_digits":"0123456789"}"""));
    }
}

/// <summary>Two servers on one PostgreSQL database: a room created or deleted through one is what the other serves and routes to.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresDurableRoomsTests(PostgresServer server) : IAsyncLifetime
{
    private TwoInstances _pair = null!;
    private ConferenceDemoApplication _one = null!;
    private ConferenceDemoApplication _two = null!;

    public async Task InitializeAsync()
    {
        _pair = await TwoInstances.StartAsync(server);
        (_one, _two) = (_pair.One, _pair.Two);
    }

    public async Task DisposeAsync() => await _pair.DisposeAsync();

    [Fact]
    public async Task ARoomPutOnOneInstance_IsServedAndRoutedByTheOther_UntilItIsDeleted()
    {
        Assert.Equal(["myconf"], await ApiRoom.ListedAsync(_two));
        Assert.Equal(HttpStatusCode.Created, await ApiRoom.PutAsync(_one, "board", ApiRoom.Body()));
        Assert.Equal(HttpStatusCode.Created, await ApiRoom.PutAsync(_one, "gone", ApiRoom.Body("+15556660099")));
        Expect.Commands(await _two.DeliverAsync(Initiated("v3:to-gone-1", to: "+15556660099")), Expect.Answer("v3:to-gone-1", "gone"));
        await _two.DeliverAsync(Hangup("v3:to-gone-1"));
        Assert.Equal(HttpStatusCode.NoContent, await ApiRoom.DeleteAsync(_one, "gone"));

        await ApiRoom.AssertServedAsync(_two, "board");
        Assert.Equal(["myconf", "board"], await ApiRoom.ListedAsync(_two));
        var (status, _) = await _two.GetAsync("/api/rooms/gone");
        Assert.Equal(404, status);

        Expect.Commands(await _two.DeliverAsync(Initiated("v3:to-board", to: ApiRoom.Number)), Expect.Answer("v3:to-board", "board"));
        Expect.Commands(await _two.DeliverAsync(Initiated("v3:to-gone-2", to: "+15556660099")), Expect.Answer("v3:to-gone-2"));

        // The number stays the first room's, whichever instance is asked.
        Assert.Equal(HttpStatusCode.BadRequest, await ApiRoom.PutAsync(_two, "rival", ApiRoom.Body()));
    }

    [Fact]
    public async Task TwoRoomsClaimingOneNumber_PutOnBothInstancesAtOnce_OneIsCreated_TheOtherRefused()
    {
        var statuses = await Task.WhenAll(ApiRoom.PutAsync(_one, "north", ApiRoom.Body()), ApiRoom.PutAsync(_two, "south", ApiRoom.Body()));

        Assert.Equal([HttpStatusCode.Created, HttpStatusCode.BadRequest], statuses.Order());
        var winner = statuses[0] == HttpStatusCode.Created ? "north" : "south";
        Assert.Equal(["myconf", winner], await ApiRoom.ListedAsync(_one));
        Assert.Equal(["myconf", winner], await ApiRoom.ListedAsync(_two));
        Expect.Commands(await _one.DeliverAsync(Initiated("v3:caller", to: ApiRoom.Number)), Expect.Answer("v3:caller", winner));
    }
}
