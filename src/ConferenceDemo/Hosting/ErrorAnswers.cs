using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace ConferenceDemo.Hosting;

public static class ErrorAnswers
{
    /// <summary>
    /// A failure of the server's own (never a client's bad input, which gets its 4xx) answers 500 with the trace id
    /// of the log line that holds the details: Problem Details under /api or when JSON is asked for, one line of text
    /// otherwise. The exception is logged once, by ASP.NET's exception handler; the answer never carries it.
    /// </summary>
    public static WebApplication UseErrorAnswers(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = AnswerAsync });
        // An error status that left the body empty (no such route, wrong method, a body routing refused) gets its
        // reason too.
        app.UseStatusCodePages(context => ReasonAsync(context.HttpContext));
        return app;
    }

    private static Task ReasonAsync(HttpContext context)
    {
        var request = context.Request;
        var status = context.Response.StatusCode;
        var detail = status switch
        {
            StatusCodes.Status404NotFound => $"no route {request.Path}; the control API is described at /openapi/v1.json",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}",
            StatusCodes.Status415UnsupportedMediaType =>
                $"the body must be JSON: Content-Type: application/json (UTF-8); it is '{request.ContentType}'",
            _ => ReasonPhrases.GetReasonPhrase(status),
        };
        return WriteAsync(context, status, ReasonPhrases.GetReasonPhrase(status).ToLowerInvariant(), detail, null);
    }

    private static Task AnswerAsync(HttpContext context)
    {
        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        return WriteAsync(context, StatusCodes.Status500InternalServerError, "internal error",
            $"the server failed on this request; its log has the details under trace id {traceId}",
            context.Features.Get<IExceptionHandlerFeature>()?.Error);
    }

    private static async Task WriteAsync(HttpContext context, int status, string title, string detail, Exception? exception)
    {
        context.Response.StatusCode = status;
        var wantsJson = context.Request.Path.StartsWithSegments("/api")
            || context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Value is "application/json" or "application/problem+json");
        if (wantsJson && context.RequestServices.GetService<IProblemDetailsService>() is { } problems
            && await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
                Exception = exception,
            }))
        {
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"{title}: {detail}");
    }
}
