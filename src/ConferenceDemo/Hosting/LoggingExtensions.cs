using System.Globalization;
using Serilog;
using Serilog.Events;
using Serilog.Formatting;
using Serilog.Formatting.Compact;
using Serilog.Formatting.Display;

namespace ConferenceDemo.Hosting;

/// <summary>How log lines are written: readable text, or compact JSON (one object a line) for log shippers.</summary>
public enum LogFormat
{
    Text,
    Json,
}

public static class LoggingExtensions
{
    public const string FormatKey = "Logging:Format";

    /// <summary>The readable console line.</summary>
    public const string TextTemplate =
        "[{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

    private const string RequestTemplate = "HTTP {RequestMethod} {RequestPath} responded {StatusCode} in {Elapsed:0.0} ms{Webhook}";
    private const string WebhookItem = "ConferenceDemo.WebhookLogText";

    /// <summary>
    /// Serilog is the only sink: levels from the "Serilog" section, the console in the format <see cref="FormatKey"/>
    /// names, plus any sink registered in DI. Every value is escaped (see <see cref="ControlCharacterEscaper"/>) before
    /// it reaches a sink. The code logs through [LoggerMessage] on Microsoft.Extensions.Logging only.
    /// </summary>
    public static IHostApplicationBuilder AddSerilogLogging(this IHostApplicationBuilder builder)
    {
        var format = ParseFormat(builder.Configuration[FormatKey]);
        builder.Services.AddSerilog((services, logger) => logger
                .ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext()
                .Enrich.With<ControlCharacterEscaper>()
                // A port in use is said in one line by Program; not again, with a stack trace, by Kestrel.
                .Filter.ByExcluding(e => e.Exception is { } ex && StartupFailure.IsAddressInUse(ex))
                .WriteTo.Console(Formatter(format)),
            preserveStaticLogger: true);
        return builder;
    }

    /// <summary>One line per request (method, path, status, elapsed), webhook lines with their event.</summary>
    public static WebApplication UseRequestLogging(this WebApplication app)
    {
        app.UseSerilogRequestLogging(options =>
        {
            // The host's logger, not Serilog's static one: test hosts running side by side keep their own.
            options.Logger = app.Services.GetRequiredService<Serilog.ILogger>();
            options.MessageTemplate = RequestTemplate;
            options.GetLevel = Level;
            options.GetMessageTemplateProperties = (context, path, elapsed, status) =>
            [
                new LogEventProperty("RequestMethod", new ScalarValue(context.Request.Method)),
                new LogEventProperty("RequestPath", new ScalarValue(path)),
                new LogEventProperty("StatusCode", new ScalarValue(status)),
                new LogEventProperty("Elapsed", new ScalarValue(elapsed)),
                new LogEventProperty("Webhook", new ScalarValue(context.Items[WebhookItem] as string ?? "")),
            ];
        });
        return app;
    }

    /// <summary>Puts a webhook's event on its request line: structured, and as text in the readable format.</summary>
    public static void DescribeWebhook(HttpContext context, string eventType, string? eventId, string? callControlId)
    {
        if (context.RequestServices.GetService<IDiagnosticContext>() is { } diagnostics)
        {
            diagnostics.Set("EventType", eventType);
            diagnostics.Set("WebhookEventId", eventId);
            diagnostics.Set("CallControlId", callControlId);
        }

        context.Items[WebhookItem] = $": {eventType} {eventId ?? "(no id)"}, call_control_id {callControlId ?? "(none)"}";
    }

    /// <summary>The formatter of a format: what tests use to see a line exactly as the console gets it.</summary>
    public static ITextFormatter Formatter(LogFormat format) => format == LogFormat.Json
        ? new RenderedCompactJsonFormatter()
        : new MessageTemplateTextFormatter(TextTemplate, CultureInfo.InvariantCulture);

    /// <summary>A console logger for the time before settings are read, so a failed start is logged too.</summary>
    public static Serilog.Core.Logger CreateBootstrapLogger() => new LoggerConfiguration()
        .Enrich.With<ControlCharacterEscaper>()
        .WriteTo.Console(Formatter(LogFormat.Text), standardErrorFromLevel: LogEventLevel.Error)
        .CreateLogger();

    internal static LogFormat ParseFormat(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        null or "" or "TEXT" => LogFormat.Text,
        "JSON" => LogFormat.Json,
        _ => throw new SettingsException($"{SettingNames.Describe(FormatKey)} must be text or json; it is '{value}'."),
    };

    // Rejected webhooks are counted by the webhook endpoint, so their request lines stay below Information: a flood
    // of forged requests cannot flood the log.
    private static LogEventLevel Level(HttpContext context, double elapsed, Exception? exception)
    {
        var status = context.Response.StatusCode;
        if (exception is not null || status >= 500)
        {
            return LogEventLevel.Error;
        }

        var isWebhook = context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName == "TelnyxWebhook";
        return isWebhook && status >= 400 ? LogEventLevel.Debug : LogEventLevel.Information;
    }
}
