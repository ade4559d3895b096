using System.Net;
using System.Text.Json.Nodes;
using ConferenceDemo.Rooms;
using ConferenceDemo.Rooms.Processing;
using ConferenceDemo.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Storage;

/// <summary>Two servers on one PostgreSQL database, as behind a load balancer: webhooks of one conference split between them.</summary>
[Collection(PostgresCollection.Name)]
public sealed class TwoInstanceTests(PostgresServer server) : IAsyncLifetime
{
    private const string A = "v3:ccid-A", B = "v3:ccid-B";
    private readonly ConferenceDemoApplication _one = new();
    private readonly ConferenceDemoApplication _two = new();

    public async Task InitializeAsync()
    {
        var connectionString = await server.CreateDatabaseAsync();
        foreach (var app in new[] { _one, _two })
        {
            app.Settings["Storage:Provider"] = "postgres";
            app.Settings["Storage:ConnectionString"] = connectionString;
        }

        // Both signed by the same Telnyx account.
        _two.Settings["Webhooks:PublicKey"] = _one.Signer.PublicKeyBase64;
        _ = _one.Server;
        _ = _two.Server;
    }

    public async Task DisposeAsync()
    {
        await _one.DisposeAsync();
        await _two.DisposeAsync();
    }

    /// <summary>Posts a webhook signed with the account's key to one of the instances.</summary>
    private async Task PostAsync(ConferenceDemoApplication app, string body)
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(body);
        var timestamp = app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telnyx-conf-v2/start") { Content = content };
        request.Headers.TryAddWithoutValidation("telnyx-timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("telnyx-signature-ed25519", _one.Signer.Sign(timestamp, bytes));
        using var client = app.CreateClient();
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task BothIdleAsync()
    {
        // A command's answer on one instance can queue work only there; twice round settles both.
        for (var i = 0; i < 3; i++)
        {
            await _one.WhenIdleAsync();
            await _two.WhenIdleAsync();
        }
    }

    private IReadOnlyList<RecordedRequest> Sent() => [.. _one.Telnyx.Requests, .. _two.Telnyx.Requests];

    [Fact]
    public async Task TwoFirstCallers_OnTwoInstancesAtOnce_OpenOneConference_AndBothAreIn()
    {
        await Task.WhenAll(PostAsync(_one, Initiated(A, from: "+15550000001")), PostAsync(_two, Initiated(B, from: "+15550000002")));
        await BothIdleAsync();
        await Task.WhenAll(PostAsync(_one, Answered(A, "+15550000001")), PostAsync(_two, Answered(B, "+15550000002")));
        await BothIdleAsync();

        var sent = Sent();
        Assert.Single(sent, r => r.Path == "/v2/conferences" && r.Method == HttpMethod.Post);
        Assert.Single(sent, r => r.Path == "/v2/conferences/conf-1/actions/join");
        Assert.Equal(2, sent.Count(r => r.Path.EndsWith("/actions/answer", StringComparison.Ordinal)));
        Assert.Equal(2, sent.Count(r => r.Path.EndsWith("/actions/speak", StringComparison.Ordinal)));

        foreach (var app in new[] { _one, _two })
        {
            var (status, text) = await app.GetAsync("/api/rooms/myconf");
            Assert.True(status == 200, text);
            Assert.True(text.Contains("conf-1", StringComparison.Ordinal), $"{text}\n{string.Join("\n", sent)}");
            var room = JsonNode.Parse(text)!;
            Assert.Equal("conf-1", room["conference_id"]?.GetValue<string>());
            Assert.Equal([A, B], room["participants"]!.AsArray().Select(p => p!["call_control_id"]!.GetValue<string>()).Order());
        }
    }

    [Fact]
    public async Task ARedelivery_ToTheOtherInstance_IsADuplicate()
    {
        var answered = Answered(A, "+15550000001");
        await PostAsync(_one, Initiated(A, from: "+15550000001"));
        await PostAsync(_one, answered);
        await BothIdleAsync();
        var before = Sent().Count;

        await PostAsync(_two, answered);
        await BothIdleAsync();

        Assert.Equal(before, Sent().Count);
    }

    [Fact]
    public async Task ARoomEventDecidedOnOneInstance_ReachesAFeedSubscriberOnTheOther()
    {
        using var subscription = _two.Services.GetRequiredService<IRoomFeed>().Subscribe("myconf");

        await PostAsync(_one, Initiated(A, from: "+15550000001"));
        await PostAsync(_one, Answered(A, "+15550000001"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        RoomFeedItem item;
        do
        {
            item = await subscription.Reader.ReadAsync(timeout.Token);
        }
        while (item.Event is not ParticipantJoinedRoom { Participant.CallControlId: A });

        Assert.True(item.Sequence > 0);

        // A reader that reconnects after that number gets the rest from the table.
        await BothIdleAsync();
        await Task.Delay(200);
        using var resumed = _two.Services.GetRequiredService<IRoomFeed>().Subscribe("myconf", after: item.Sequence - 1);
        Assert.True(resumed.Resumed);
        Assert.Equal(item.Sequence, (await resumed.Reader.ReadAsync(timeout.Token)).Sequence);
    }
}
