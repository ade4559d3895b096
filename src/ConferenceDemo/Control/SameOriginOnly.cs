using System.Net.Http.Headers;

namespace ConferenceDemo.Control;

/// <summary>Marks a control route that only reads (list): a cross-site page cannot read its answer, so it is not refused.</summary>
internal sealed class ReadOnlyControlRoute;

/// <summary>
/// Every control route that acts is refused when a browser says another site asked for it: <c>Sec-Fetch-Site:
/// cross-site</c>, an <c>Origin</c> that is not this server (scheme, host and port), or a prefetch. Otherwise a hostile
/// page could ride on the owner's saved Basic credentials with an image tag or a form. A script with a Bearer token
/// sends none of these headers and is unaffected. A request body must be JSON in UTF-8, which a plain HTML form
/// cannot send.
/// </summary>
internal sealed class SameOriginOnly : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var refusal = Check(http);
        return refusal is null ? next(context) : ValueTask.FromResult<object?>(refusal);
    }

    private static IResult? Check(HttpContext http)
    {
        var request = http.Request;
        var headers = request.Headers;
        if (http.GetEndpoint()?.Metadata.GetMetadata<ReadOnlyControlRoute>() is null)
        {
            if (string.Equals(headers["Sec-Fetch-Site"], "cross-site", StringComparison.OrdinalIgnoreCase))
            {
                return Forbidden(http, "refused: a cross-site request cannot act on the conference");
            }

            if (headers.Origin is { Count: > 0 } origin && !IsThisServer(request, origin.ToString()))
            {
                return Forbidden(http, $"refused: Origin '{origin}' is not this server; a page of another site cannot act on the conference");
            }

            if (headers["Sec-Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase)
                || headers["Purpose"].ToString().Contains("prefetch", StringComparison.OrdinalIgnoreCase))
            {
                return Forbidden(http, "refused: prefetch does not act on the conference");
            }
        }

        if (HasBody(request) && !IsUtf8Json(request.ContentType))
        {
            return ControlAnswers.Refuse(http, StatusCodes.Status415UnsupportedMediaType, "unsupported media type",
                $"the body must be JSON: Content-Type: application/json (UTF-8); it is '{request.ContentType}'");
        }

        return null;
    }

    private static IResult Forbidden(HttpContext http, string detail) =>
        ControlAnswers.Refuse(http, StatusCodes.Status403Forbidden, "cross-site request refused", detail);

    /// <summary>Same origin: the Origin's scheme, host and port are the request's own.</summary>
    internal static bool IsThisServer(HttpRequest request, string origin)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            return false; // "null" (sandboxed pages, redirects) and anything malformed are foreign
        }

        var ownPort = request.Host.Port ?? (request.IsHttps ? 443 : 80);
        return string.Equals(uri.Scheme, request.Scheme, StringComparison.OrdinalIgnoreCase)
            && string.Equals(uri.Host, request.Host.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == ownPort;
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    internal static bool IsUtf8Json(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media)
            || !string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var charset = media.CharSet?.Trim('"');
        return string.IsNullOrEmpty(charset) || string.Equals(charset, "utf-8", StringComparison.OrdinalIgnoreCase);
    }
}
