using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using ConferenceDemo.Tests.Infrastructure;
using ConferenceDemo.Tests.Telnyx;
using Microsoft.Playwright;
using static ConferenceDemo.Tests.Infrastructure.TelnyxWebhooks;

namespace ConferenceDemo.Tests.Dashboard.Browser;

/// <summary>
/// The dashboard in Debian's Chromium against the real server (a process). Telnyx is Prism (the mock generated from
/// Telnyx's OpenAPI spec), and the calls arrive as signed webhooks, as they would from Telnyx.
/// </summary>
public sealed class DashboardBrowserTests(BrowserFixture browser, PrismMock prism)
    : IClassFixture<BrowserFixture>, IClassFixture<PrismMock>, IAsyncLifetime
{
    private const string User = "admin";
    private const string Password = "browser-test-password";
    private const string Caller = "+15550001111";
    private const string Second = "+15550002222";
    private const string Third = "+15550003333";

    private readonly WebhookSigner _signer = WebhookSigner.Generate();
    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["CONTROL_USER"] = User,
        ["CONTROL_PASSWORD"] = Password,
        ["TELNYX_API_KEY"] = "browser-test-key",
        ["TELNYX_BASE_URL"] = new Uri(prism.BaseUrl, "v2").ToString(),
        ["TELNYX_PUBLIC_KEY"] = _signer.PublicKeyBase64,
        ["TELNYX_PHONE_NUMBER"] = "+15559990000",
        ["TELNYX_CONNECTION_ID"] = "1234567890",
        ["TELNYX_WAITING_URL"] = "https://example.com/hold.mp3",
        ["Serilog__MinimumLevel__Default"] = "Warning",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<IPage> SignInAsync(int width = 1100, int height = 900) => browser.SignInAsync(_server.Address, User, Password, width, height);

    private async Task PostWebhookAsync(string body)
    {
        using var client = new HttpClient { BaseAddress = _server.Address };
        var bytes = Encoding.UTF8.GetBytes(body);
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/telnyx-conf-v2/start") { Content = content };
        request.Headers.TryAddWithoutValidation("telnyx-timestamp", timestamp);
        request.Headers.TryAddWithoutValidation("telnyx-signature-ed25519", _signer.Sign(timestamp, bytes));
        using var response = await client.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"webhook answered {(int)response.StatusCode}");
    }

    private async Task<JsonNode> RoomAsync()
    {
        using var client = new HttpClient { BaseAddress = _server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        return JsonNode.Parse(await client.GetStringAsync("/api/rooms/myconf"))!;
    }

    /// <summary>A caller rings, is answered, and joins: the webhooks Telnyx would send, after each the server's command.</summary>
    private async Task CallInAsync(string ccid, string number)
    {
        await PostWebhookAsync(Initiated(ccid, from: number));
        await PostWebhookAsync(Answered(ccid, number));
        string? conference = null;
        for (var i = 0; i < 100 && conference is null; i++)
        {
            conference = (await RoomAsync())["conference_id"]?.GetValue<string>();
            if (conference is null)
            {
                await Task.Delay(100);
            }
        }

        Assert.NotNull(conference);
        await PostWebhookAsync(Joined(ccid, conference));
    }

    [Fact]
    public async Task ACallerAppearsWithoutReload_AMuteFromThePageReachesTelnyx_AndBothBrowsersSeeIt()
    {
        var first = await SignInAsync();
        var second = await SignInAsync(width: 390, height: 844); // a phone's screen
        var room = first.Locator("section.room[data-room=myconf]");
        await Assertions.Expect(room.Locator("h2")).ToHaveTextAsync("myconf");
        await Assertions.Expect(room.GetByText("idle", new() { Exact = true })).ToBeVisibleAsync();

        await CallInAsync("v3:browser-1", Caller);

        foreach (var page in new[] { first, second })
        {
            var person = page.Locator("li.person", new() { HasText = Caller });
            await Assertions.Expect(person.Locator(".number")).ToHaveTextAsync(Caller);
            await Assertions.Expect(person.GetByText("in room", new() { Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(page.Locator("section.room[data-room=myconf]").GetByText("live", new() { Exact = true })).ToBeVisibleAsync();
        }

        // Mute: the button is named with what it does and to whom; Telnyx (Prism) accepts the command, and the badge
        // follows in both browsers, through the room's events.
        await first.GetByRole(AriaRole.Button, new() { Name = $"Mute {Caller}", Exact = true }).ClickAsync();
        foreach (var page in new[] { first, second })
        {
            var person = page.Locator("li.person", new() { HasText = Caller });
            await Assertions.Expect(person.GetByText("muted", new() { Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Unmute {Caller}", Exact = true })).ToBeVisibleAsync();
        }

        Assert.True((await RoomAsync())["participants"]![0]!["muted"]!.GetValue<bool>());

        // Keyboard only: Tab to the next participant's hold button and press Enter.
        await CallInAsync("v3:browser-2", Second);
        var hold = first.GetByRole(AriaRole.Button, new() { Name = $"Hold {Second}", Exact = true });
        await hold.FocusAsync();
        await first.Keyboard.PressAsync("Enter");
        await Assertions.Expect(first.Locator("li.person", new() { HasText = Second }).GetByText("on hold", new() { Exact = true })).ToBeVisibleAsync();

        // The focus moves to the control that replaced the pressed one: Enter again takes them off hold.
        var unhold = first.GetByRole(AriaRole.Button, new() { Name = $"Unhold {Second}", Exact = true });
        await Assertions.Expect(unhold).ToBeFocusedAsync();
        await first.Keyboard.PressAsync("Enter");
        await Assertions.Expect(first.GetByRole(AriaRole.Button, new() { Name = $"Hold {Second}", Exact = true })).ToBeFocusedAsync();

        // A hang-up: gone from the room, listed with its reason.
        await CallInAsync("v3:browser-3", Third);
        await PostWebhookAsync(Hangup("v3:browser-3"));
        await Assertions.Expect(second.Locator("li.person", new() { HasText = Third })).ToHaveCountAsync(0);
        await Assertions.Expect(second.Locator(".departures")).ToContainTextAsync($"{Third}: hung up");

    }

    [Fact]
    public async Task SigningOut_EndsTheSession()
    {
        var page = await SignInAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_server.Address, "/signin").ToString());
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_server.Address, "/signin").ToString());
    }
}
