using System.Diagnostics;

namespace ConferenceDemo.Bench;

/// <summary>The repository the bench runs in, and the commands it runs there.</summary>
internal static class Repository
{
    public static string Root()
    {
        for (var dir = new DirectoryInfo(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ConferenceDemo.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from inside the repository.");
    }

    public static string Run(string file, IReadOnlyList<string> args, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Root(),
        };
        using var process = Process.Start(info)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd() + error.Result;
        process.WaitForExit();
        return process.ExitCode == 0 ? output.Trim() : throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed:\n{output}");
    }

    /// <summary>True when <paramref name="file"/> is a command on PATH (or an existing path).</summary>
    public static bool Has(string file) =>
        File.Exists(file) || (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(dir => File.Exists(Path.Combine(dir, file)));
}
