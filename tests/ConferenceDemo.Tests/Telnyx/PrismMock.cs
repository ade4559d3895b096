using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace ConferenceDemo.Tests.Telnyx;

/// <summary>
/// Prism serving Telnyx's OpenAPI spec (Fixtures/openapi) on 127.0.0.1: it answers 422 to any request body the spec
/// does not accept. Installed by `tests/setup.sh` (the first half of the README's test command).
/// </summary>
public sealed class PrismMock : IAsyncLifetime
{
    private Process? _process;

    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var root = RepositoryRoot();
        var prism = Path.Combine(root, "tests", "prism", "node_modules", ".bin", "prism");
        if (!File.Exists(prism))
        {
            throw new InvalidOperationException($"Prism is not installed at {prism}: run `tests/setup.sh` first (see README).");
        }

        var port = FreeLoopbackPort();
        var spec = Path.Combine(AppContext.BaseDirectory, "Fixtures", "openapi", "telnyx-callcontrol.v2.json");
        var info = new ProcessStartInfo(prism, ["mock", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), spec])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        _process = Process.Start(info)!;
        var listening = new TaskCompletionSource();
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Contains("Prism is listening", StringComparison.Ordinal) == true)
            {
                listening.TrySetResult();
            }
        };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        var exited = _process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromSeconds(120)));
        if (first != listening.Task)
        {
            throw new InvalidOperationException("Prism did not start within 120 s.");
        }

        BaseUrl = new Uri($"http://127.0.0.1:{port}/");
    }

    public async Task DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process?.Dispose();
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConferenceDemo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ConferenceDemo.sln not found above " + AppContext.BaseDirectory);
    }
}
