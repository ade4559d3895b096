using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace ConferenceDemo.Telnyx;

/// <summary>Adds <c>Authorization: Bearer</c> with the configured key to every request to Telnyx.</summary>
internal sealed class TelnyxAuthHandler(IOptions<TelnyxOptions> options) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (options.Value.HasApiKey)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.ApiKey);
        }

        return base.SendAsync(request, cancellationToken);
    }
}
