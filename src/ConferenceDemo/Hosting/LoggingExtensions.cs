using Serilog;

namespace ConferenceDemo.Hosting;

public static class LoggingExtensions
{
    /// <summary>
    /// Serilog is the only sink (configured from the "Serilog" section); every log line in the code is a
    /// [LoggerMessage] on Microsoft.Extensions.Logging, so the sink can change without touching callers.
    /// </summary>
    public static IHostApplicationBuilder AddSerilogLogging(this IHostApplicationBuilder builder)
    {
        var logger = new LoggerConfiguration()
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            // A port in use is said in one line by Program; not again, with a stack trace, by Kestrel.
            .Filter.ByExcluding(e => e.Exception is { } ex && StartupFailure.IsAddressInUse(ex))
            .CreateLogger();

        builder.Logging.ClearProviders();
        builder.Logging.AddSerilog(logger, dispose: true);
        return builder;
    }
}
