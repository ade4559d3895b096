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

    /// <param name="Listened">True when the server said it was listening (a run that neither exits nor listens is neither).</param>
    private sealed record Run(int? ExitCode, string Output, bool Listened);

    /// <summary>Starts the server on 127.0.0.1 (any free port); returns when it exits or says it is listening.</summary>
    private async Task<Run> StartAsync(Dictionary<string, string> environment, string? dotEnv = null,
        Func<Uri, Func<string>, Task>? whileRunning = null, string urls = "http://127.0.0.1:0")
    {
        if (dotEnv is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(_workDir, ".env"), dotEnv);
        }

        var info = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location, "--urls", urls])
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

            // Text or JSON, the line names the address.
            if (e.Data is { } line && line.Contains("Now listening on: ", StringComparison.Ordinal)
                && System.Text.RegularExpressions.Regex.Match(line, @"http://127\.0\.0\.1:[0-9]+") is { Success: true } address)
            {
                listening.TrySetResult(new Uri(address.Value));
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
            return new Run(exitCode, output.ToString(), first == listening.Task);
        }
    }

    [Theory]
    [InlineData("PORT", "abc", "PORT must be a whole number from 1 to 65535")]
    [InlineData("PORT", "70000", "PORT must be a whole number from 1 to 65535")]
    [InlineData("TELNYX_WEBHOOK_TOLERANCE_SECONDS", "0", "TELNYX_WEBHOOK_TOLERANCE_SECONDS (Webhooks:ToleranceSeconds) must be a positive whole number")]
    [InlineData("TELNYX_WEBHOOK_TOLERANCE_SECONDS", "five", "TELNYX_WEBHOOK_TOLERANCE_SECONDS (Webhooks:ToleranceSeconds) has a value of the wrong type")]
    [InlineData("TELNYX_VERIFY_WEBHOOKS", "maybe", "TELNYX_VERIFY_WEBHOOKS (Webhooks:Verify) must be true or false (1/0 and yes/no work too); it is 'maybe'.")]
    [InlineData("MAX_CONCURRENT_CONNECTIONS", "lots", "MAX_CONCURRENT_CONNECTIONS (Hosting:MaxConcurrentConnections) must be a whole number of at least 1; it is 'lots'.")]
    [InlineData("TRUSTED_PROXIES", "127.0.0.1,ngrok", "TRUSTED_PROXIES (Control:TrustedProxies) must be IP addresses or CIDR ranges separated by commas, e.g. 127.0.0.1,10.0.0.0/8; 'ngrok' is not one.")]
    [InlineData("TELNYX_BASE_URL", "api.telnyx.com", "TELNYX_BASE_URL (Telnyx:BaseUrl) must be an absolute http(s) URL")]
    [InlineData("TELNYX_PHONE_NUMBER", "555-1234", "TELNYX_PHONE_NUMBER (Telnyx:PhoneNumber) must be an E.164 number")]
    [InlineData("TELNYX_WAITING_URL", "waiting.mp3", "TELNYX_WAITING_URL (Conference:WaitingUrl) must be an absolute http(s) URL")]
    [InlineData("TELNYX_PUBLIC_KEY", "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "TELNYX_PUBLIC_KEY (Webhooks:PublicKey) looks like hex")]
    [InlineData("CONTROL_TOKEN", "short", "CONTROL_TOKEN (Control:Token) must be at least 16 characters")]
    [InlineData("PULL_ALLOWED_PREFIXES", "+1,44", "PULL_ALLOWED_PREFIXES (Conference:PullAllowedPrefixes) must be E.164 prefixes")]
    [InlineData("LOG_FORMAT", "xml", "LOG_FORMAT (Logging:Format) must be text or json; it is 'xml'.")]
    [InlineData("CONTROL_RATE_LIMIT_PER_MINUTE", "0", "CONTROL_RATE_LIMIT_PER_MINUTE (Control:RequestsPerMinute)")]
    [InlineData("Rooms__board__Pin", "12", "Rooms__board__Pin: a PIN is 4 to 12 digits")]
    [InlineData("Rooms__board__DialIn", "+15551234567,555", "Rooms__board__DialIn: '555' is not an E.164 number")]
    [InlineData("Rooms__board__MaxParticipants", "900", "Rooms__board__MaxParticipants: max participants is from 2 to 800")]
    [InlineData("TELNYX_SIMULATOR", "maybe", "TELNYX_SIMULATOR (Telnyx:Simulator) must be true or false")]
    [InlineData("Simulator__DuplicateRate", "1.5", "Simulator:DuplicateRate must be a share from 0 to 1")]
    [InlineData("Simulator__FailureRate", "-0.1", "Simulator:FailureRate must be a share from 0 to 1")]
    [InlineData("Simulator__LatencyMilliseconds", "2.5", "Simulator:LatencyMilliseconds has a value of the wrong type")]
    [InlineData("STORAGE_PROVIDER", "mongo", "STORAGE_PROVIDER (Storage:Provider) must be sqlite, postgres or memory")]
    [InlineData("STORAGE_CONNECTION_STRING", "no equals sign", "STORAGE_CONNECTION_STRING (Storage:ConnectionString) is not a SQLite connection string")]
    [InlineData("Rooms__board__MaxDurationMinutes", "0", "Rooms__board__MaxDurationMinutes: max duration is from 1 to 1440 minutes")]
    [InlineData("Rooms__board__AnnounceRecording", "maybe", "Rooms__board__AnnounceRecording: must be true or false; it is 'maybe'.")]
    [InlineData("Rooms__board__MaxDurationMinutes", "an hour", "Rooms__board__MaxDurationMinutes: must be a whole number; it is 'an hour'.")]
    public async Task MalformedSetting_StopsTheServerWithAMessageNamingIt(string name, string value, string message)
    {
        var run = await StartAsync(new() { [name] = value });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"ConferenceDemo cannot start: {message}", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal); // no stack trace
    }

    [Fact]
    public async Task PostgresWithoutAConnectionString_StopsTheServerNamingTheSetting()
    {
        var run = await StartAsync(new() { ["STORAGE_PROVIDER"] = "postgres" });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("ConferenceDemo cannot start: STORAGE_CONNECTION_STRING (Storage:ConnectionString) must be set for postgres", run.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnreachableDatabase_StopsTheServerWithOneLine_WithoutItsPassword()
    {
        var run = await StartAsync(new()
        {
            ["STORAGE_PROVIDER"] = "postgres",
            ["STORAGE_CONNECTION_STRING"] = "Host=127.0.0.1;Port=1;Username=app;Password=hunter2-secret;Database=x;Timeout=2",
        });

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("ConferenceDemo cannot start: STORAGE_CONNECTION_STRING (Storage:ConnectionString): the store (postgres: ", run.Output,
            StringComparison.Ordinal);
        Assert.Contains("password=***", run.Output, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("hunter2-secret", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ByDefault_StateIsKeptInASqliteFileUnderData_AndTheServerStartsAgainOnIt()
    {
        await StartAsync([]);
        Assert.True(File.Exists(Path.Combine(_workDir, "data", "conferencedemo.db")));

        var again = await StartAsync([]);
        Assert.True(again.Listened, again.Output);
        Assert.Contains("Storage: sqlite: data source=data/conferencedemo.db", again.Output, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task NoSettingsAtAll_TheServerStartsInSimulatorModeAndSaysSo_AndWhereItsDashboardIs()
    {
        var run = await StartAsync([], whileRunning: UntilSummaryAsync);

        Assert.True(run.Listened, run.Output);
        Assert.Contains("TELNYX SIMULATOR MODE (TELNYX_API_KEY is not set)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("TELNYX_PUBLIC_KEY is not set", run.Output, StringComparison.Ordinal); // the simulator's key is trusted
        var summary = Assert.Single(run.Output.Split('\n'), l => l.Contains("Webhook URL for the Telnyx portal", StringComparison.Ordinal));
        Assert.Contains("Telnyx API: simulated in this server (/simulator/v2)", summary, StringComparison.Ordinal);
        Assert.Contains("TELNYX_API_KEY simulated, TELNYX_PUBLIC_KEY simulated, TELNYX_CONNECTION_ID simulated, TELNYX_PHONE_NUMBER simulated, "
            + "TELNYX_WAITING_URL simulated", summary, StringComparison.Ordinal);
        Assert.Matches(@"Dashboard: http://127\.0\.0\.1:[1-9][0-9]*/ \(sign in as 'admin' with the control password\)", run.Output);
    }

    [Theory]
    [InlineData("http://[::]:8081", "http://localhost:8081")]
    [InlineData("http://0.0.0.0:8081/", "http://localhost:8081")]
    [InlineData("http://+:80", "http://localhost:80")]
    [InlineData("http://127.0.0.1:5000", "http://127.0.0.1:5000")]
    public void TheDashboardAddress_IsOneABrowserCanOpen(string listening, string browsable) =>
        Assert.Equal(browsable, ConferenceDemo.Hosting.StartupSummary.Browsable(listening));

    [Fact]
    public async Task NoApiKeyAndSimulatorOff_TheServerStartsAndWarnsAboutTheMissingKeys()
    {
        var run = await StartAsync(new() { ["TELNYX_SIMULATOR"] = "false" });

        Assert.True(run.Listened, run.Output);
        Assert.DoesNotContain("SIMULATOR MODE", run.Output, StringComparison.Ordinal);
        Assert.Contains("TELNYX_API_KEY is not set", run.Output, StringComparison.Ordinal);
        Assert.Contains("TELNYX_PUBLIC_KEY is not set", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LogFormatJson_WritesEveryLogLineAsOneJsonObject_RequestLinesIncluded()
    {
        var run = await StartAsync(new() { ["LOG_FORMAT"] = "json", ["CONTROL_PASSWORD"] = "a-password-for-this-test", ["TELNYX_SIMULATOR"] = "false" },
            whileRunning: async (baseUrl, _) =>
            {
                using var http = new HttpClient { BaseAddress = baseUrl };
                using var health = await http.GetAsync("/healthz");
                await Task.Delay(200);
            });

        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.NotEmpty(lines);
        var events = lines.Select(l => System.Text.Json.Nodes.JsonNode.Parse(l)!).ToList(); // throws on a line that is not JSON
        Assert.All(events, e => Assert.NotNull(e["@t"]));
        Assert.Contains(events, e => e["RequestPath"]?.GetValue<string>() == "/healthz" && e["StatusCode"]?.GetValue<int>() == 200);
        Assert.Contains(events, e => e["EventId"]?["Id"]?.GetValue<int>() == 1100); // TELNYX_API_KEY is not set
    }

    [Fact]
    public async Task ApiKeyAndSimulatorOn_TheSimulatorIsUsedAndTheKeyIsNeverShown()
    {
        var run = await StartAsync(new() { ["TELNYX_API_KEY"] = "KEY_NOT_FOR_THE_SIMULATOR", ["TELNYX_SIMULATOR"] = "true" });

        Assert.True(run.Listened, run.Output);
        Assert.Contains("TELNYX SIMULATOR MODE (TELNYX_SIMULATOR=true)", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("KEY_NOT_FOR_THE_SIMULATOR", run.Output, StringComparison.Ordinal);
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

        Assert.True(run.Listened, run.Output);
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

        Assert.True(run.Listened, run.Output);
        Assert.DoesNotContain("TELNYX_API_KEY is not set", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("no", true)]
    [InlineData("NO", true)]
    [InlineData("0", true)]
    [InlineData("False", true)]
    [InlineData("yes", false)]
    [InlineData("1", false)]
    public async Task BooleanSetting_AcceptsTrueFalseOneZeroYesNo(string value, bool off)
    {
        var run = await StartAsync(new() { ["TELNYX_VERIFY_WEBHOOKS"] = value });

        Assert.True(run.Listened, run.Output);
        Assert.Equal(off, run.Output.Contains("webhook signatures are NOT checked", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PortInUse_SaysSoInOneLineNamingThePortAndPort_AndExits1()
    {
        using var holder = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        holder.Start();
        var port = ((System.Net.IPEndPoint)holder.LocalEndpoint).Port;

        var run = await StartAsync([], urls: $"http://127.0.0.1:{port}");

        Assert.Equal(1, run.ExitCode);
        var line = Assert.Single(run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            l => l.Contains("in use", StringComparison.Ordinal));
        Assert.StartsWith($"ConferenceDemo cannot start: port {port} is already in use", line, StringComparison.Ordinal);
        Assert.Contains("PORT", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Output, StringComparison.Ordinal);
    }

    /// <summary>Keeps the server running until its start-up summary (written once it listens) is out.</summary>
    private static async Task UntilSummaryAsync(Uri _, Func<string> output)
    {
        for (var i = 0; i < 100 && !output().Contains("Webhook URL for the Telnyx portal", StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
        }

        await Task.Delay(200); // the warnings after it
    }

    private static string EnvExample()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var path = Path.Combine(dir.FullName, ".env.example");
            if (File.Exists(path))
            {
                return File.ReadAllText(path);
            }
        }

        throw new FileNotFoundException(".env.example not found above the test binaries");
    }

    [Fact]
    public async Task EnvExampleCopiedAsItIs_Starts_WithOneSummaryAndAWarningAboutHoldAudio()
    {
        // Without TELNYX_API_KEY the simulator would stand in; this checks the summary of a server meant for Telnyx.
        var run = await StartAsync(new() { ["TELNYX_SIMULATOR"] = "false" }, dotEnv: EnvExample(), whileRunning: UntilSummaryAsync);

        Assert.True(run.Listened, run.Output);
        var summary = Assert.Single(run.Output.Split('\n'), l => l.Contains("Webhook URL for the Telnyx portal", StringComparison.Ordinal));
        Assert.Contains("/telnyx-conf-v2/start", summary, StringComparison.Ordinal);
        Assert.Contains("Telnyx API: https://api.telnyx.com/v2", summary, StringComparison.Ordinal);
        Assert.Contains("TELNYX_API_KEY not set", summary, StringComparison.Ordinal);
        Assert.Contains("TELNYX_WAITING_URL not set", summary, StringComparison.Ordinal);
        Assert.Contains("TELNYX_WAITING_URL is not set: a caller alone in the conference is put on hold without an audio_url", run.Output,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task BlankSettings_CountAsUnset_AndTheSummaryNamesSetKeysWithoutTheirValues()
    {
        var run = await StartAsync(new() { ["TELNYX_API_KEY"] = "KEY_VALUE_NEVER_SHOWN", ["TELNYX_BASE_URL"] = "  " },
            dotEnv: "TELNYX_COMMAND_TIMEOUT_SECONDS=\nTELNYX_WAITING_URL=   \nTELNYX_VERIFY_WEBHOOKS=\n", whileRunning: UntilSummaryAsync);

        Assert.True(run.Listened, run.Output);
        Assert.Contains("Telnyx API: https://api.telnyx.com/v2", run.Output, StringComparison.Ordinal);
        Assert.Contains("TELNYX_API_KEY set", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("KEY_VALUE_NEVER_SHOWN", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("NOT checked", run.Output, StringComparison.Ordinal); // blank verify = the default, true
    }

    [Theory]
    [InlineData("https://api.telnyx.com", true)]
    [InlineData("http://127.0.0.1:4010/v1", true)]
    [InlineData("http://127.0.0.1:4010/v2/", false)]
    public async Task BaseUrlWhosePathIsNotV2_Warns(string baseUrl, bool warns)
    {
        var run = await StartAsync(new() { ["TELNYX_BASE_URL"] = baseUrl }, whileRunning: UntilSummaryAsync);

        Assert.True(run.Listened, run.Output);
        Assert.Equal(warns, run.Output.Contains("not /v2", StringComparison.Ordinal));
    }
}
