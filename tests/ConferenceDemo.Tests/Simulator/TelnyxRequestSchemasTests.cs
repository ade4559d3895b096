using System.Text.Json;
using ConferenceDemo.Simulator;

namespace ConferenceDemo.Tests.Simulator;

/// <summary>The simulator refuses what Telnyx's OpenAPI spec refuses, and accepts what the typed client sends.</summary>
public sealed class TelnyxRequestSchemasTests
{
    private static readonly TelnyxRequestSchemas Schemas = TelnyxRequestSchemas.Load();

    private static SchemaViolation? Check(string operation, string? body, Dictionary<string, string>? path = null, string? query = null)
    {
        using var document = body is null ? null : JsonDocument.Parse(body);
        var pairs = (query ?? "").Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('=', 2))
            .Select(p => new KeyValuePair<string, string>(Uri.UnescapeDataString(p[0]), Uri.UnescapeDataString(p[1])));
        return Schemas.Validate(operation, document?.RootElement, path, pairs);
    }

    [Fact]
    public void EveryOperationTheSimulatorServes_HasASchema()
    {
        Assert.Superset(new HashSet<string>
        {
            "POST /calls", "POST /conferences", "GET /conferences", "GET /conferences/{conference_id}/participants", "GET /recordings/{recording_id}",
            "POST /calls/{call_control_id}/actions/answer", "POST /calls/{call_control_id}/actions/gather_using_speak",
            "POST /conferences/{id}/actions/join", "POST /conferences/{id}/actions/unhold", "POST /conferences/{id}/actions/end",
        }, Schemas.Operations.ToHashSet());
    }

    [Theory]
    [InlineData("POST /calls/{call_control_id}/actions/answer", """{"client_state":null}""", "10015", "/client_state")]
    [InlineData("POST /conferences/{id}/actions/unhold", "{}", "10004", "/call_control_ids")]
    [InlineData("POST /calls/{call_control_id}/actions/speak", """{"payload":"hi"}""", "10004", "/voice")]
    [InlineData("POST /calls/{call_control_id}/actions/speak", """{"payload":"hi","voice":"female","language":"xx-XX"}""", "10032", "/language")]
    [InlineData("POST /calls/{call_control_id}/actions/record_start", """{"format":"ogg","channels":"dual"}""", "10032", "/format")]
    [InlineData("POST /calls", """{"to":"+15551234567","from":"+15559990000","connection_id":"1","time_limit_secs":10}""", "10033", "/time_limit_secs")]
    [InlineData("POST /calls", """{"to":5551234567,"from":"+15559990000","connection_id":"1"}""", "10015", "/to")]
    [InlineData("POST /conferences", """{"call_control_id":"v3:a"}""", "10004", "/name")]
    [InlineData("POST /conferences", """{"call_control_id":"v3:a","name":"x","beep_enabled":"sometimes"}""", "10032", "/beep_enabled")]
    [InlineData("POST /conferences/{id}/actions/join", """{"call_control_id":"v3:a","mute":"yes"}""", "10015", "/mute")]
    [InlineData("POST /conferences/{id}/actions/mute", """{"call_control_ids":"v3:a"}""", "10015", "/call_control_ids")]
    [InlineData("POST /calls/{call_control_id}/actions/record_stop", """{"recording_id":"not-a-uuid"}""", "10015", "/recording_id")]
    [InlineData("POST /calls/{call_control_id}/actions/hangup", "[]", "10015", "")]
    public void BodiesTheSpecRefuses_AreRefusedWithTelnyxsCode(string operation, string body, string code, string pointer)
    {
        var violation = Check(operation, body);

        Assert.NotNull(violation);
        Assert.Equal((code, pointer), (violation.Code, violation.Pointer));
    }

    [Fact]
    public void MissingBody_WhereTheSpecRequiresOne_IsRefused()
    {
        Assert.Equal("10004", Check("POST /calls/{call_control_id}/actions/hangup", null)?.Code);
        Assert.Null(Check("POST /conferences/{id}/actions/end", null, new() { ["id"] = Guid.NewGuid().ToString() })); // end's body is optional
    }

    [Theory]
    [InlineData("POST /calls/{call_control_id}/actions/answer", """{"command_id":"c1"}""")]
    [InlineData("POST /calls/{call_control_id}/actions/speak", """{"payload":"Welcome","voice":"female","language":"en-GB","command_id":"c1"}""")]
    [InlineData("POST /calls", """{"to":"+15551234567","from":"+15559990000","connection_id":"1","client_state":"eA==","command_id":"c1"}""")]
    [InlineData("POST /conferences", """{"call_control_id":"v3:a","name":"myconf","client_state":"eA==","command_id":"c1","max_participants":10,"duration_minutes":5,"beep_enabled":"on_enter","start_conference_on_create":false}""")]
    [InlineData("POST /conferences/{id}/actions/join", """{"call_control_id":"v3:a","client_state":"eA==","start_conference_on_enter":true,"end_conference_on_exit":true,"mute":false,"hold":true,"hold_audio_url":"https://x.test/a.mp3"}""")]
    [InlineData("POST /conferences/{id}/actions/hold", """{"call_control_ids":["v3:a"],"audio_url":"https://x.test/a.mp3"}""")]
    [InlineData("POST /calls/{call_control_id}/actions/gather_using_speak", """{"payload":"PIN","voice":"female","minimum_digits":4,"maximum_digits":8,"terminating_digit":"#"}""")]
    [InlineData("POST /calls/{call_control_id}/actions/playback_start", """{"audio_url":"https://x.test/a.mp3","loop":"infinity"}""")]
    [InlineData("POST /calls/{call_control_id}/actions/playback_start", """{"audio_url":"https://x.test/a.mp3","loop":3}""")]
    public void BodiesTheSpecAccepts_AreAccepted(string operation, string body)
    {
        Assert.Null(Check(operation, body));
    }

    [Theory]
    [InlineData("filter%5Bstatus%5D=bogus", "10032")]
    [InlineData("page%5Bsize%5D=9999", "10033")]
    [InlineData("page%5Bnumber%5D=zero", "10015")]
    public void QueriesTheSpecRefuses_AreRefused(string query, string code)
    {
        Assert.Equal(code, Check("GET /conferences", null, query: query)?.Code);
    }

    [Fact]
    public void QueriesTheClientSends_AreAccepted()
    {
        Assert.Null(Check("GET /conferences", null, query: "filter%5Bname%5D=myconf&filter%5Bstatus%5D=in_progress"));
        Assert.Null(Check("GET /conferences/{conference_id}/participants", null, new() { ["conference_id"] = "c" }, "page%5Bnumber%5D=1&page%5Bsize%5D=250"));
    }

    [Fact]
    public void EndByAConferenceName_IsRefused_BecauseTheSpecWantsAUuidThere()
    {
        Assert.Equal("10015", Check("POST /conferences/{id}/actions/end", "{}", new() { ["id"] = "myconf" })?.Code);
        Assert.Null(Check("POST /conferences/{id}/actions/mute", "{}", new() { ["id"] = "myconf" }));
    }
}
