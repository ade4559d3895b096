using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ConferenceDemo.Bench;

/// <summary>A server under measurement, as its own process on 127.0.0.1.</summary>
internal sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;

    private ServerProcess(Process process, Uri baseUrl)
    {
        _process = process;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public int ProcessId => _process.Id;

    public static Task<ServerProcess> StartAsync(string dll, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment) =>
        StartProgramAsync("dotnet", [dll, .. args], environment);

    /// <summary>Starts <paramref name="program"/> with <paramref name="args"/> and `--urls` a free port; returns once it answers /healthz.</summary>
    public static async Task<ServerProcess> StartProgramAsync(string program, IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var port = FreePort();
        var baseUrl = new Uri($"http://127.0.0.1:{port}");
        var what = Path.GetFileName(args[0]);
        var info = new ProcessStartInfo(program, [.. args, "--urls", baseUrl.ToString().TrimEnd('/')])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(Path.GetFullPath(args[0]))!,
        };
        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        // Drain the output (the server logs to the console) so it never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"  server: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var http = new HttpClient { BaseAddress = baseUrl };
        for (var i = 0; i < 200; i++)
        {
            try
            {
                using var response = await http.GetAsync("/healthz");
                if (response.IsSuccessStatusCode)
                {
                    return new ServerProcess(process, baseUrl);
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            if (process.HasExited)
            {
                throw new InvalidOperationException($"{what} exited with {process.ExitCode} before answering /healthz");
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{what} did not answer /healthz within 20 s");
    }

    /// <summary>Resident set size from /proc, in MiB.</summary>
    public double RssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }

    /// <summary>User plus system CPU time the process has used, from /proc.</summary>
    public TimeSpan CpuTime()
    {
        var fields = File.ReadAllText($"/proc/{_process.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture)
            + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0); // USER_HZ is 100 on Linux
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
