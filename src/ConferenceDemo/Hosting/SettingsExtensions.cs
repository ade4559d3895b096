using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace ConferenceDemo.Hosting;

public static class SettingsExtensions
{
    /// <summary>
    /// Settings come from appsettings.json, then a <c>.env</c> file in the working directory (if present), then
    /// environment variables, then the command line. The flat names of <see cref="SettingNames"/> are mapped onto
    /// their configuration keys at both the .env and the environment level, so a real environment variable always
    /// beats the .env file.
    /// </summary>
    public static IHostApplicationBuilder AddSettingsFromEnvironment(this IHostApplicationBuilder builder)
    {
        var sources = builder.Configuration.Sources;

        // appsettings.json beside the binary: the defaults when the server runs from another working directory.
        var besideBinary = new JsonConfigurationSource
        {
            Path = Path.Combine(AppContext.BaseDirectory, "appsettings.json"),
            Optional = true,
            ReloadOnChange = false,
        };
        besideBinary.ResolveFileProvider();
        sources.Insert(0, besideBinary);

        var dotEnvPath = Path.Combine(Directory.GetCurrentDirectory(), ".env");
        var dotEnv = File.Exists(dotEnvPath) ? DotNetEnv.Env.NoEnvVars().Load(dotEnvPath).ToList() : [];
        var environment = Environment.GetEnvironmentVariables().Cast<DictionaryEntry>()
            .Select(e => new KeyValuePair<string, string?>((string)e.Key, (string?)e.Value));

        // The .env file sits just below the environment variables, and our flat names just above them, so a real
        // environment variable beats the file, and TELNYX_API_KEY means the same as Telnyx__ApiKey.
        var envIndex = IndexOfEnvironmentSource(sources);
        sources.Insert(envIndex, new MemoryConfigurationSource
        {
            InitialData = dotEnv.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))
                .Select(p => new KeyValuePair<string, string?>(
                    SettingNames.KeyFor(p.Key) ?? p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value)),
        });
        sources.Insert(envIndex + 2, new MemoryConfigurationSource
        {
            InitialData = environment
                .Where(p => SettingNames.KeyFor(p.Key) is not null)
                .Select(p => new KeyValuePair<string, string?>(SettingNames.KeyFor(p.Key)!, p.Value)),
        });

        builder.UsePortSetting();
        return builder;
    }

    private static int IndexOfEnvironmentSource(IList<IConfigurationSource> sources)
    {
        for (var i = sources.Count - 1; i >= 0; i--)
        {
            if (sources[i] is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            {
                return i;
            }
        }

        return sources.Count;
    }

    /// <summary>
    /// PORT (default 8081) picks the listen port on all interfaces, unless ASPNETCORE_URLS or --urls says where to
    /// listen. A PORT that is not a port number stops the server.
    /// </summary>
    private static void UsePortSetting(this IHostApplicationBuilder builder)
    {
        var raw = builder.Configuration[SettingNames.Port];
        int port = SettingNames.DefaultPort;
        if (!string.IsNullOrWhiteSpace(raw)
            && (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            throw new SettingsException($"PORT must be a whole number from 1 to 65535; it is '{raw}'.");
        }

        if (builder is WebApplicationBuilder web && string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            web.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://0.0.0.0:{port}"));
        }
    }
}
