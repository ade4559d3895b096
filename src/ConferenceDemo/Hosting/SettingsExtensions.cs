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
        // A blank value ("" or spaces, as a copied .env.example has) is left out, so it counts as unset and the
        // default applies. The environment source itself is replaced by the same variables without the blanks.
        var envIndex = IndexOfEnvironmentSource(sources);
        sources.Insert(envIndex, new MemoryConfigurationSource
        {
            InitialData = dotEnv.Where(p => !string.IsNullOrWhiteSpace(p.Value))
                .Select(p => new KeyValuePair<string, string?>(
                    SettingNames.KeyFor(p.Key) ?? p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value)),
        });
        if (envIndex + 1 < sources.Count && sources[envIndex + 1] is EnvironmentVariablesConfigurationSource)
        {
            sources[envIndex + 1] = new MemoryConfigurationSource
            {
                InitialData = environment.Where(p => !string.IsNullOrWhiteSpace(p.Value))
                    .Select(p => new KeyValuePair<string, string?>(p.Key.Replace("__", ":", StringComparison.Ordinal), p.Value)),
            };
        }

        sources.Insert(envIndex + 2, new MemoryConfigurationSource
        {
            InitialData = environment
                .Where(p => SettingNames.KeyFor(p.Key) is not null && !string.IsNullOrWhiteSpace(p.Value))
                .Select(p => new KeyValuePair<string, string?>(SettingNames.KeyFor(p.Key)!, p.Value)),
        });

        builder.NormaliseSettings();
        builder.UsePortSetting();
        builder.UseConnectionLimit();
        builder.Services.AddHostedService<StartupSummary>();
        return builder;
    }

    /// <summary>The settings that are booleans; each accepts true/false, 1/0 and yes/no, in any case.</summary>
    private static readonly string[] BooleanKeys = ["Webhooks:Verify"];

    /// <summary>
    /// One last layer over every source read so far: booleans as a person writes them. A boolean that is none of
    /// those stops the server with its name and value.
    /// </summary>
    private static void NormaliseSettings(this IHostApplicationBuilder builder)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in BooleanKeys)
        {
            var raw = builder.Configuration[key];
            if (string.IsNullOrWhiteSpace(raw))
            {
                continue;
            }

            overrides[key] = raw.Trim().ToUpperInvariant() switch
            {
                "TRUE" or "1" or "YES" => "true",
                "FALSE" or "0" or "NO" => "false",
                _ => throw new SettingsException($"{SettingNames.Describe(key)} must be true or false (1/0 and yes/no work too); it is '{raw}'."),
            };
        }

        builder.Configuration.Sources.Add(new MemoryConfigurationSource { InitialData = overrides });
    }

    /// <summary>MAX_CONCURRENT_CONNECTIONS (default 1000): connections Kestrel holds open at once; past it, new ones wait.</summary>
    private static void UseConnectionLimit(this IHostApplicationBuilder builder)
    {
        var raw = builder.Configuration[MaxConcurrentConnectionsKey];
        long limit = DefaultMaxConcurrentConnections;
        if (!string.IsNullOrWhiteSpace(raw)
            && (!long.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            throw new SettingsException($"{SettingNames.Describe(MaxConcurrentConnectionsKey)} must be a whole number of at least 1; it is '{raw}'.");
        }

        if (builder is WebApplicationBuilder web)
        {
            web.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxConcurrentConnections = limit);
        }
    }

    public const string MaxConcurrentConnectionsKey = "Hosting:MaxConcurrentConnections";
    public const long DefaultMaxConcurrentConnections = 1000;

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
