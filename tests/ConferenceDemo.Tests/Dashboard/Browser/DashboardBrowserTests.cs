using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Playwright;

namespace ConferenceDemo.Tests.Dashboard.Browser;

/// <summary>The dashboard in a real browser against the real server (a process), with the simulator standing in for Telnyx.</summary>
public sealed class DashboardBrowserTests(BrowserFixture browser) : IClassFixture<BrowserFixture>, IAsyncLifetime
{
    private const string User = "admin";
    private const string Password = "browser-test-password";

    private ServerProcess _server = null!;

    public async Task InitializeAsync() => _server = await ServerProcess.StartAsync(new Dictionary<string, string>
    {
        ["CONTROL_USER"] = User,
        ["CONTROL_PASSWORD"] = Password,
        ["TELNYX_PHONE_NUMBER"] = "+15559990000",
        ["Serilog__MinimumLevel__Default"] = "Warning",
    });

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<IPage> OpenDashboardAsync()
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _server.Address.ToString(),
            ViewportSize = new ViewportSize { Width = 1100, Height = 900 },
        });
        var page = await context.NewPageAsync();

        // Signed out, the page sends the browser to the sign-in form.
        await page.GotoAsync("/");
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_server.Address, "/signin").ToString());
        await page.GetByLabel("User").FillAsync(User);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Uri(_server.Address, "/").ToString());
        await Assertions.Expect(page.Locator("#connection")).ToHaveTextAsync("Live");
        return page;
    }

    [Fact]
    public async Task ThePage_ShowsTheRoomLive_InTwoBrowsersAtOnce()
    {
        var first = await OpenDashboardAsync();
        var second = await OpenDashboardAsync();

        foreach (var page in new[] { first, second })
        {
            var room = page.Locator("section.room[data-room=myconf]");
            await Assertions.Expect(room.Locator("h2")).ToHaveTextAsync("myconf");
            await Assertions.Expect(room.GetByRole(AriaRole.Button, new() { Name = "Call myconf" })).ToBeVisibleAsync();
        }

        Directory.CreateDirectory(DocsDirectory());
        await first.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(DocsDirectory(), "dashboard.png"), FullPage = true });
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
