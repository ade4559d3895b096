using System.Globalization;
using System.Net;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Dashboard;

/// <summary>Two servers on one PostgreSQL: a browser on one sees, live, what a webhook to the other decided.</summary>
[Collection(PostgresCollection.Name)]
public sealed class CrossInstanceStreamTests(PostgresServer server) : IAsyncLifetime
{
    private const string A = "v3:ccid-A", B = "v3:ccid-B";
    private TwoInstances _pair = null!;
    private ConferenceDemoApplication _one = null!;
    private ConferenceDemoApplication _two = null!;

    public async Task InitializeAsync()
    {
        _pair = await TwoInstances.StartAsync(server);
        (_one, _two) = (_pair.One, _pair.Two);
    }

    public async Task DisposeAsync() => await _pair.DisposeAsync();

    private async Task PostToOneAsync(string body)
    {
        using var response = await _one.PostWebhookAsync(body);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<(HttpResponseMessage Response, EventStreamReader Reader)> OpenOnTwoAsync(string? lastEventId = null)
    {
        var client = _two.CreateControlClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/rooms/myconf/events");
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (response, new EventStreamReader(await response.Content.ReadAsStreamAsync()));
    }

    private static async Task<StreamMessage> JoinedAsync(EventStreamReader reader, string callControlId)
    {
        StreamMessage message;
        do
        {
            message = await reader.NextEventAsync();
        }
        while (message.Event != "participant_joined" || message.Json["participant"]!["call_control_id"]!.GetValue<string>() != callControlId);

        return message;
    }

    [Fact]
    public async Task AWebhookToOneInstance_ReachesTheStreamOfTheOther_AndAReconnectThereResumesWithoutAGap()
    {
        StreamMessage joinedA;
        var (response, reader) = await OpenOnTwoAsync();
        await using (reader)
        using (response)
        {
            Assert.Equal("snapshot", (await reader.NextAsync()).Event);

            await PostToOneAsync(Initiated(A, from: "+15550000001"));
            await PostToOneAsync(Answered(A, "+15550000001"));

            joinedA = await JoinedAsync(reader, A);
            Assert.Equal("myconf", joinedA.Json["room"]!.GetValue<string>());
            Assert.Equal("+15550000001", joinedA.Json["participant"]!["number"]!.GetValue<string>());
        }

        // Disconnected: B joins through instance one meanwhile; the reconnect to two gets it, not a snapshot.
        await _one.WhenIdleAsync();
        await PostToOneAsync(Initiated(B, from: "+15550000002"));
        await PostToOneAsync(Answered(B, "+15550000002"));
        await _one.WhenIdleAsync();

        var (again, resumed) = await OpenOnTwoAsync(lastEventId: joinedA.Id);
        await using (resumed)
        using (again)
        {
            var first = await resumed.NextEventAsync();
            Assert.NotEqual("snapshot", first.Event);
            Assert.True(long.Parse(first.Id!, CultureInfo.InvariantCulture) > long.Parse(joinedA.Id!, CultureInfo.InvariantCulture));
            var joinedB = first.Event == "participant_joined" && first.Json["participant"]!["call_control_id"]!.GetValue<string>() == B
                ? first
                : await JoinedAsync(resumed, B);
            Assert.Equal("+15550000002", joinedB.Json["participant"]!["number"]!.GetValue<string>());
        }
    }
}
