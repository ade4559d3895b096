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
    private async Task<Run> StartAsync(Dictionary<string, string> environment, string? dotEnv = null)
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
        var listening = new TaskCompletionSource();
        void OnLine(object? _, DataReceivedEventArgs e)
        {
            lock (output)
            {
                output.AppendLine(e.Data);
            }

            if (e.Data?.Contains("Now listening on", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
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
