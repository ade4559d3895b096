using System.Net;
using System.Text.Json.Nodes;
using ConferenceDemo.Tests.Infrastructure;
using static ConferenceDemo.Tests.Infrastructure.CallSteps;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Control;

/// <summary>GET /api/rooms and /api/rooms/{id}: the contract's field names, under the owner's sign-in.</summary>
public sealed class RoomsApiTests : IAsyncLifetime
{
    private readonly ConferenceDemoApplication _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private async Task<(HttpStatusCode Status, JsonNode? Json)> GetJsonAsync(string path)
    {
        using var client = _app.CreateControlClient();
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text));
    }

    [Fact]
    public async Task Rooms_ListsTheDefaultRoom_IdleThenLive()
    {
        var (status, idle) = await GetJsonAsync("/api/rooms");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"rooms":[{"id":"myconf","name":"myconf","dial_in":["{{ConferenceDemoApplication.PhoneNumber}}"],"conference_id":null,
            "participant_count":0,"locked":false}]}
            """), idle), idle?.ToJsonString());

        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);

        var (_, live) = await GetJsonAsync("/api/rooms");
        Assert.Equal("conf-1", live!["rooms"]![0]!["conference_id"]!.GetValue<string>());
        Assert.Equal(2, live["rooms"]![0]!["participant_count"]!.GetValue<int>());
    }

    [Fact]
    public async Task Room_ShowsEachParticipantWithRoleAndStatus()
    {
        await FirstCallerOpensConferenceAsync(_app);
        await CallerJoinsAsync(_app, B, FromB);

        var (status, room) = await GetJsonAsync("/api/rooms/myconf");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse($$"""
            {"id":"myconf","name":"myconf","dial_in":["{{ConferenceDemoApplication.PhoneNumber}}"],"conference_id":"conf-1","locked":false,
             "has_pin":false,"has_moderator_pin":false,"max_participants":null,"beep":null,"join_muted":false,"wait_for_moderator":false,
             "end_when_moderator_leaves":false,"hold_audio_url":"{{ConferenceDemoApplication.WaitingUrl}}",
             "announce_recording":true,"max_duration_minutes":null,"recording":"off","speaker":null,
             "participants":[
              {"call_control_id":"{{A}}","number":"{{FromA}}","role":"member","status":"in_room","muted":false,"on_hold":true,"recording":false,"dialed":false,"talking":false},
              {"call_control_id":"{{B}}","number":"{{FromB}}","role":"member","status":"joining","muted":false,"on_hold":false,"recording":false,"dialed":false,"talking":false}]}
            """), room), room?.ToJsonString());
    }

    [Fact]
    public async Task UnknownRoom_Answers404ProblemDetails()
    {
        var (status, problem) = await GetJsonAsync("/api/rooms/nope");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Equal(404, problem!["status"]!.GetValue<int>());
        Assert.Contains("nope", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/rooms")]
    [InlineData("/api/rooms/myconf")]
    public async Task Rooms_NeedTheOwnersSignIn(string path)
    {
        using var response = await _app.CreateClient().GetAsync(path);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
