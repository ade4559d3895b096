using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Hosting;

/// <summary>Tells a settings error from any other start-up failure and words it for the console.</summary>
public static partial class StartupFailure
{
    public static bool IsSettingsError(Exception ex) => Unwrap(ex) is SettingsException or OptionsValidationException
        || IsBinderError(Unwrap(ex));

    /// <summary>Any other failure, except the host being stopped on purpose (test hosts and tools end it that way).</summary>
    public static bool IsFatal(Exception ex) => ex is not HostAbortedException and not OperationCanceledException;

    public static string Describe(Exception ex)
    {
        var inner = Unwrap(ex);
        if (inner is OptionsValidationException validation)
        {
            return string.Join(" ", validation.Failures);
        }

        if (IsBinderError(inner))
        {
            // "Failed to convert configuration value at 'Webhooks:ToleranceSeconds' to type 'System.Int32'."
            var match = ConfigPath().Match(inner.Message);
            return match.Success
                ? $"{SettingNames.Describe(match.Groups["key"].Value)} has a value of the wrong type ({match.Groups["type"].Value} expected)."
                : inner.Message;
        }

        return inner.Message;
    }

    /// <summary>Kestrel could not listen because another process holds the port.</summary>
    public static bool IsAddressInUse(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is Microsoft.AspNetCore.Connections.AddressInUseException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>"port 8081 is already in use …": the port from Kestrel's message ("Failed to bind to address http://…:8081").</summary>
    public static string DescribeAddressInUse(Exception ex)
    {
        var match = BoundPort().Match(ex.Message);
        var port = match.Success ? match.Groups["port"].Value : "the listen port";
        return $"port {port} is already in use (another server, or another copy of this one?); stop it, or set PORT to a free port.";
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } or TargetInvocationException && ex.InnerException is not null)
        {
            ex = ex.InnerException!;
        }

        // The binder wraps the conversion error; keep the outer one, which names the key.
        return ex;
    }

    private static bool IsBinderError(Exception ex) =>
        ex is InvalidOperationException && ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal);

    [GeneratedRegex(@":(?<port>[0-9]{1,5})(?:/|:|\s|$)")]
    private static partial Regex BoundPort();

    [GeneratedRegex(@"at '(?<key>[^']+)' to type '(?<type>[^']+)'")]
    private static partial Regex ConfigPath();
}
