using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using ConferenceDemo.Telnyx;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Simulator;

/// <summary>
/// Where this server can reach itself over HTTP: the address it listens on, once it is known (so port 0 works), as
/// a loopback URL. Before the server listens, the address its settings ask for stands in.
/// </summary>
public sealed class SimulatorAddress(IServer server, string configured)
{
    /// <summary>The address the settings ask for (urls, PORT), as a loopback URL; known before the server starts.</summary>
    public Uri Configured { get; } = Loopback(configured) ?? new Uri("http://127.0.0.1:8081/");

    /// <summary>The address the server listens on now, else <see cref="Configured"/>.</summary>
    public Uri Current
    {
        get
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var http = addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.OrdinalIgnoreCase)) ?? addresses.FirstOrDefault();
            return (http is null ? null : Loopback(http)) ?? Configured;
        }
    }

    /// <summary>The first of a ';'-separated list of URLs with a wildcard or local host name made 127.0.0.1.</summary>
    public static Uri? Loopback(string urls)
    {
        var first = urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
        if (first is null)
        {
            return null;
        }

        // Kestrel accepts "*" and "+" as hosts, which Uri does not.
        first = first.Replace("://*", "://0.0.0.0", StringComparison.Ordinal).Replace("://+", "://0.0.0.0", StringComparison.Ordinal);
        if (!Uri.TryCreate(first, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var host = uri.Host;
        var wildcard = host is "0.0.0.0" or "[::]" or "localhost" or "::"
            || (IPAddress.TryParse(host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any)));
        var builder = new UriBuilder(uri.Scheme, wildcard ? "127.0.0.1" : host, uri.Port, "/");
        return builder.Uri;
    }
}

/// <summary>
/// In simulator mode, sends the typed Telnyx client's requests to this server's own simulator mount, at the
/// address the server really listens on (known only once it has started). TELNYX_BASE_URL keeps its value (and its
/// check at start); only the part of a request after it is kept.
/// </summary>
/// <remarks>
/// The handler sits inside the client's retries, which send the same request message again: each attempt is routed
/// from the address the client first asked for (kept in the request's options), never from the one an earlier
/// attempt was given, so a retry reaches the same simulated command.
/// </remarks>
internal sealed class SimulatorRoutingHandler(SimulatorMode mode, IServiceProvider services) : DelegatingHandler
{
    /// <summary>The request's address before it was first routed to the simulator.</summary>
    internal static readonly HttpRequestOptionsKey<Uri> AskedFor = new("ConferenceDemo.Simulator.AskedFor");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (mode.IsOn && request.RequestUri is { IsAbsoluteUri: true } current)
        {
            if (!request.Options.TryGetValue(AskedFor, out var uri))
            {
                uri = current;
                request.Options.Set(AskedFor, uri);
            }

            var configuredBase = services.GetRequiredService<IOptions<TelnyxOptions>>().Value.BaseUrl.TrimEnd('/') + "/";
            var rest = uri.AbsoluteUri.StartsWith(configuredBase, StringComparison.OrdinalIgnoreCase)
                ? uri.AbsoluteUri[configuredBase.Length..]
                : uri.PathAndQuery.TrimStart('/');
            request.RequestUri = new Uri(services.GetRequiredService<SimulatorAddress>().Current, $"{SimulatorRestApi.Mount}/{rest}");
        }

        return base.SendAsync(request, cancellationToken);
    }
}
