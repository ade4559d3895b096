using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace ConferenceDemo.Tests.Dashboard.Browser;

/// <summary>
/// The dashboard against the real server with its built-in simulator standing in for Telnyx: callers are dialed in
/// from the page's simulator panel, and what the page does is checked at the simulated Telnyx.
/// </summary>
public sealed class SimulatorBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string User = "admin";
    private const string Password = "simulator-browser-password";
    private const string Caller = "+15550001111";
    private const string Other = "+15550002222";

    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["CONTROL_USER"] = User,
        ["CONTROL_PASSWORD"] = Password,
        ["TELNYX_SIMULATOR"] = "true",
        ["TELNYX_PHONE_NUMBER"] = "+15559990000",
        ["Serilog__MinimumLevel__Default"] = "Warning",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private Task<IPage> SignInAsync(int width = 1100, int height = 1000) => browser.SignInAsync(_server.Address, User, Password, width, height);

    /// <summary>The simulated Telnyx's own view of a caller's leg (GET /api/simulator/calls).</summary>
    private async Task<JsonNode?> SimulatedCallAsync(string from)
    {
        using var client = new HttpClient { BaseAddress = _server.Address };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}")));
        var calls = JsonNode.Parse(await client.GetStringAsync("/api/simulator/calls"))!["calls"]!.AsArray();
        return calls.LastOrDefault(c => c!["from"]!.GetValue<string>() == from && c["state"]!.GetValue<string>() != "ended");
    }

    private async Task<JsonNode> EventuallyAsync(string from, Func<JsonNode, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30); // generous: the machine may be busy
        while (DateTime.UtcNow < deadline)
        {
            if (await SimulatedCallAsync(from) is { } call && condition(call))
            {
                return call;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the simulator never showed {from} {what}: {await SimulatedCallAsync(from)}");
    }

    private static async Task DialInAsync(IPage page, string from)
    {
        var panel = page.Locator("#simulator");
        await Assertions.Expect(panel).ToBeVisibleAsync();
        await panel.GetByLabel("Caller number").FillAsync(from);
        await panel.GetByRole(AriaRole.Button, new() { Name = "Dial in", Exact = true }).ClickAsync();
    }

    [Fact]
    public async Task ASimulatedCaller_AppearsWithoutReload_AndAMuteFromThePage_MutesAtTheSimulatedTelnyx_InBothBrowsers_AsDoTheLockAndTheRoomRecording()
    {
        var first = await SignInAsync();
        var second = await SignInAsync(width: 390, height: 844); // a phone's screen

        await DialInAsync(first, Caller);
        await DialInAsync(first, Other);
        foreach (var page in new[] { first, second })
        {
            var person = page.Locator("li.person", new() { HasText = Caller });
            await Assertions.Expect(person.Locator(".number")).ToHaveTextAsync(Caller, new() { Timeout = 30_000 });
            await Assertions.Expect(person.GetByText("in room", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        }

        await EventuallyAsync(Caller, c => c["state"]!.GetValue<string>() == "in_conference", "in the conference");
        await first.GetByRole(AriaRole.Button, new() { Name = $"Mute {Caller}", Exact = true }).ClickAsync();

        await EventuallyAsync(Caller, c => c["muted"]!.GetValue<bool>(), "muted");
        foreach (var page in new[] { first, second })
        {
            var person = page.Locator("li.person", new() { HasText = Caller });
            await Assertions.Expect(person.GetByText("muted", new() { Exact = true })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = $"Unmute {Caller}", Exact = true })).ToBeVisibleAsync();
        }

        // The room's own controls: the lock shows in both browsers; a room recording started and stopped from the
        // page is listed, once the simulated Telnyx has saved it, with its download link.
        await first.GetByRole(AriaRole.Button, new() { Name = "Lock myconf", Exact = true }).ClickAsync();
        await first.GetByRole(AriaRole.Button, new() { Name = "Record room myconf", Exact = true }).ClickAsync();
        foreach (var page in new[] { first, second })
        {
            var state = page.GetByRole(AriaRole.List, new() { Name = "State of myconf", Exact = true });
            await Assertions.Expect(state.GetByText("locked", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(state.GetByText("recording", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Unlock myconf", Exact = true })).ToBeVisibleAsync();
        }

        await first.GetByRole(AriaRole.Button, new() { Name = "Stop room recording myconf", Exact = true }).ClickAsync();
        var download = second.Locator(".recordings a");
        await Assertions.Expect(download).ToHaveCountAsync(1, new() { Timeout = 30_000 });
        var href = await download.GetAttributeAsync("href");
        Assert.Matches("^/api/recordings/[^/]+/download$", href);
        var fetched = await second.Context.APIRequest.GetAsync(href!); // redirected to the link the simulated Telnyx made just now
        Assert.True(fetched.Ok, $"{href} answered {fetched.Status} at {fetched.Url}");
        Assert.Contains("/simulator/media/", fetched.Url, StringComparison.Ordinal);

        var simulated = first.Locator("#simulator li.call", new() { HasText = Caller });
        await Assertions.Expect(simulated.GetByText("in conference", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        // The README's picture: written to docs/ when DASHBOARD_SCREENSHOT=docs asks for it, else beside the test binaries.
        var folder = Environment.GetEnvironmentVariable("DASHBOARD_SCREENSHOT") == "docs" ? DocsDirectory() : AppContext.BaseDirectory;
        var screenshot = Path.Combine(folder, "dashboard.png");
        await first.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        Assert.True(new FileInfo(screenshot).Length > 10_000, $"the screenshot {screenshot} is nearly empty");

        // Hanging up from the panel: gone from the room in the other browser, listed with its reason.
        await first.Locator("#simulator").GetByRole(AriaRole.Button, new() { Name = $"Hang up {Other}", Exact = true }).ClickAsync();
        await Assertions.Expect(second.Locator("li.person", new() { HasText = Other })).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(second.Locator(".departures")).ToContainTextAsync(Other);
    }

    private static string DocsDirectory()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ConferenceDemo.sln")))
        {
            directory = directory.Parent;
        }

        return Path.Combine(directory?.FullName ?? throw new InvalidOperationException("ConferenceDemo.sln not found"), "docs");
    }
}
