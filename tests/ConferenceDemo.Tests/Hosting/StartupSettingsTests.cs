using System.Diagnostics;
using System.Text;

namespace ConferenceDemo.Tests.Hosting;

/// <summary>
/// Settings as a user gives them: the built server started as a process with environment variables and a .env file
/// (the process environment cannot be changed safely inside the test host).
/// </summary>
public sealed class StartupSettingsTests : IDisposable
{
    private readonly string _workDir = Directory.CreateTempSubdirectory("conferencedemo-").FullName;

    public void Dispose() => Directory.Delete(_workDir, recursive: true);

    private sealed record Run(int? ExitCode, string Output);

    /// <summary>Starts the server on 127.0.0.1 (any free port); returns when it exits or says it is listening.</summary>
    private async Task<Run> StartAsync(Dictionary<string, string> environment, string? dotEnv = null,
        Func<Uri, Func<string>, Task>? whileRunning = null)
    {
        if (dotEnv is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(_workDir, ".env"), dotEnv);
        }

        var info = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "--urls", "http://127.0.0.1:0"])
        {
            WorkingDirectory = _workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var name in info.Environment.Keys.Where(k => k.StartsWith("TELNYX", StringComparison.OrdinalIgnoreCase)
                     || k.StartsWith("Telnyx__", StringComparison.OrdinalIgnoreCase) || k is "PORT").ToList())
        {
            info.Environment.Remove(name);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        var listening = new TaskCompletionSource<Uri>();
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data is { } line && line.Contains("Now listening on: ", StringComparison.Ordinal))
            {
                listening.TrySetResult(new Uri(line[(line.IndexOf("Now listening on: ", StringComparison.Ordinal) + 18)..].Trim()));
            }
        }

        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var exited = process.WaitForExitAsync();
        var first = await Task.WhenAny(exited, listening.Task, Task.Delay(TimeSpan.FromSeconds(30)));
        int? exitCode = null;
        if (first == exited)
        {
            await process.WaitForExitAsync();
            exitCode = process.ExitCode;
        }
        else
        {
            if (first == listening.Task && whileRunning is not null)
            {
                await Task.Delay(200); // the start-up lines after "listening"
                await whileRunning(await listening.Task, () =>
                {
                    lock (output)
                    {
                        return output.ToString();
                    }
                });
            }

            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        lock (output)
        {
            return new Run(exitCode, output.ToString());
        }
    }

    [Theory]
    [InlineData("PORT", "abc", "PORT must be a whole number from 1 to 65535")]
    [InlineData("PORT", "70000", "PORT must be a whole number from 1 to 65535")]
    [InlineData("TELNYX_WEBHOOK_TOLERANCE_SECONDS", "0", "TELNYX_WEBHOOK_TOLERANCE_SECONDS (Webhooks:ToleranceSeconds) must be a positive whole number")]
    [InlineData("TELNYX_WEBHOOK_TOLERANCE_SECONDS", "five", "TELNYX_WEBHOOK_TOLERANCE_SECONDS (Webhooks:ToleranceSeconds) has a value of the wrong type")]
    [InlineData("TELNYX_VERIFY_WEBHOOKS", "maybe", "TELNYX_VERIFY_WEBHOOKS (Webhooks:Verify) has a value of the wrong type")]
    [InlineData("TELNYX_BASE_URL", "api.telnyx.com", "TELNYX_BASE_URL (Telnyx:BaseUrl) must be an absolute http(s) URL")]
    [InlineData("TELNYX_PHONE_NUMBER", "555-1234", "TELNYX_PHONE_NUMBER (Telnyx:PhoneNumber) must be an E.164 number")]
    [InlineData("TELNYX_WAITING_URL", "waiting.mp3", "TELNYX_WAITING_URL (Conference:WaitingUrl) must be an absolute http(s) URL")]
    [InlineData("TELNYX_PUBLIC_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "TELNYX_PUBLIC_KEY (Webhooks:PublicKey) looks like hex")]
    [InlineData("CONTROL_TOKEN", "short", "CONTROL_TOKEN (Control:Token) must be at least 16 characters")]
    [InlineData("PULL_ALLOWED_PREFIXES", "+1,44", "PULL_ALLOWED_PREFIXES (Conference:PullAllowedPrefixes) must be E.164 prefixes")]
    [InlineData("CONTROL_RATE_LIMIT_PER_MINUTE", "0", "CONTROL_RATE_LIMIT_PER_MINUTE (Control:RequestsPerMinute)")]
    [InlineData("Rooms__board__Pin", "12", "Rooms__board__Pin: a PIN is 4 to 12 digits")]
    [InlineData("Rooms__board__DialIn", "+15551234567,555", "Rooms__board__DialIn: '555' is not an E.164 number")]
    [InlineData("Rooms__board__MaxParticipants", "900", "Rooms__board__MaxParticipants: max participants is from 2 to 800")]
    public async Task MalformedSetting_StopsTheServerWithAMessageNamingIt(string name, string value, string message)
    {
        var run = await StartAsync(new() { [name] = value });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"ConferenceDemo cannot start: {message}", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task NoSettingsAtAll_TheServerStartsAndWarnsAboutTheMissingKeys()
    {
        var run = await StartAsync([]);

        Assert.Null(run.ExitCode);
        Assert.Contains("TELNYX_API_KEY is not set", run.Output, StringComparison.Ordinal);
        Assert.Contains("TELNYX_PUBLIC_KEY is not set", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoControlCredentials_APasswordIsGeneratedPrintedOnceAndWorks()
    {
        (int Anonymous, int WithPassword)? statuses = null;
        string? password = null;
        var run = await StartAsync([], whileRunning: async (baseUrl, currentOutput) =>
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            using var anonymous = await http.GetAsync("/telnyx-conf-v2/list");
            for (var i = 0; i < 50 && password is null; i++)
            {
                password = currentOutput().Split('\n').Select(l => System.Text.RegularExpressions.Regex.Match(l, "user 'admin', password '([^']+)'"))
                    .FirstOrDefault(m => m.Success)?.Groups[1].Value;
                await Task.Delay(100);
            }

            Assert.NotNull(password);
            using var request = new HttpRequestMessage(HttpMethod.Get, "/telnyx-conf-v2/list");
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"admin:{password}")));
            using var signedIn = await http.SendAsync(request);
            statuses = ((int)anonymous.StatusCode, (int)signedIn.StatusCode);
        });

        Assert.Equal((401, 200), statuses);
        Assert.Equal(1, run.Output.Split(password!).Length - 1); // printed once, logged nowhere else
        Assert.Contains("a password was generated and printed once on the console", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AspNetName_WorksLikeTheTelnyxName()
    {
        var run = await StartAsync(new() { ["Telnyx__ApiKey"] = "KEY_FROM_ASPNET_NAME" });

        Assert.Null(run.ExitCode);
        Assert.DoesNotContain("TELNYX_API_KEY is not set", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("KEY_FROM_ASPNET_NAME", run.Output, StringComparison.Ordinal); // never logged
    }

    [Fact]
    public async Task DotEnvInTheWorkingDirectory_IsRead()
    {
        var run = await StartAsync([], dotEnv: "# settings\nTELNYX_API_KEY=KEY_FROM_DOTENV\nTELNYX_WEBHOOK_TOLERANCE_SECONDS=0\n");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("TELNYX_WEBHOOK_TOLERANCE_SECONDS (Webhooks:ToleranceSeconds) must be a positive whole number", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("KEY_FROM_DOTENV", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnvironmentVariable_BeatsTheDotEnvFile()
    {
        var run = await StartAsync(new() { ["TELNYX_WEBHOOK_TOLERANCE_SECONDS"] = "60" },
            dotEnv: "TELNYX_API_KEY=KEY_FROM_DOTENV\nTELNYX_WEBHOOK_TOLERANCE_SECONDS=0\n");

        Assert.Null(run.ExitCode);
        Assert.DoesNotContain("TELNYX_API_KEY is not set", run.Output, StringComparison.Ordinal);
    }
}
