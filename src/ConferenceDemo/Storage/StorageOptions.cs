using System.Data.Common;
using ConferenceDemo.Hosting;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ConferenceDemo.Storage;

public enum StorageProvider
{
    Sqlite,
    Postgres,
    Memory,
}

/// <summary>Where rooms, the inbox and the outbox are kept (section "Storage").</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Storage";
    public const string DefaultSqlite = "Data Source=data/conferencedemo.db";

    /// <summary>sqlite (default), postgres or memory.</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>SQLite: a Data Source=… string (default <see cref="DefaultSqlite"/>). PostgreSQL: an Npgsql connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>How often old inbox ids and answered outbox rows are removed.</summary>
    public int HousekeepingMinutes { get; set; } = 10;

    public StorageProvider Kind => Provider.Trim().ToLowerInvariant() switch
    {
        "postgres" or "postgresql" => StorageProvider.Postgres,
        "memory" => StorageProvider.Memory,
        _ => StorageProvider.Sqlite,
    };

    /// <summary>The connection string to use: the setting, or the SQLite default.</summary>
    public string EffectiveConnectionString =>
        string.IsNullOrWhiteSpace(ConnectionString) ? (Kind == StorageProvider.Sqlite ? DefaultSqlite : "") : ConnectionString;

    /// <summary>The connection string for a log line: every password-like part replaced.</summary>
    public static string Redact(string connectionString)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in builder.Keys.Cast<string>().ToList())
            {
                if (key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase))
                {
                    builder[key] = "***";
                }
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            return "(unreadable connection string)";
        }
    }
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options)
    {
        var failures = new List<string>();
        var provider = options.Provider?.Trim().ToLowerInvariant();
        if (provider is not ("sqlite" or "postgres" or "postgresql" or "memory"))
        {
            failures.Add($"{SettingNames.Describe("Storage:Provider")} must be sqlite, postgres or memory; it is '{options.Provider}'.");
        }
        else if (options.Kind == StorageProvider.Sqlite)
        {
            try
            {
                var builder = new SqliteConnectionStringBuilder(options.EffectiveConnectionString);
                if (string.IsNullOrWhiteSpace(builder.DataSource))
                {
                    failures.Add($"{SettingNames.Describe("Storage:ConnectionString")} must name a file, such as '{StorageOptions.DefaultSqlite}'.");
                }
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
            {
                failures.Add($"{SettingNames.Describe("Storage:ConnectionString")} is not a SQLite connection string ({ex.Message}); use e.g. '{StorageOptions.DefaultSqlite}'.");
            }
        }
        else if (options.Kind == StorageProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(options.ConnectionString))
            {
                failures.Add($"{SettingNames.Describe("Storage:ConnectionString")} must be set for postgres, e.g. 'Host=db;Port=5432;Username=app;Password=…;Database=conferencedemo'.");
            }
            else
            {
                try
                {
                    var builder = new NpgsqlConnectionStringBuilder(options.ConnectionString);
                    if (string.IsNullOrWhiteSpace(builder.Host))
                    {
                        failures.Add($"{SettingNames.Describe("Storage:ConnectionString")} has no Host=…; use e.g. 'Host=db;Port=5432;Username=app;Password=…;Database=conferencedemo'.");
                    }
                }
                catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
                {
                    // The message of a bad key names the key, never its value.
                    failures.Add($"{SettingNames.Describe("Storage:ConnectionString")} is not an Npgsql connection string ({ex.GetType().Name}); use e.g. 'Host=db;Port=5432;Username=app;Password=…;Database=conferencedemo'.");
                }
            }
        }

        if (options.HousekeepingMinutes is < 1 or > 1440)
        {
            failures.Add($"Storage:HousekeepingMinutes must be from 1 to 1440; it is {options.HousekeepingMinutes}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
