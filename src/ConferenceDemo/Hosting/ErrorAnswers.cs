using System.Diagnostics;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

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
        return app;
    }

    private static async Task AnswerAsync(HttpContext context)
    {
        var traceId = Activity.Current?.Id ?? context.TraceIdentifier;
        const string Title = "internal error";
        var detail = $"the server failed on this request; its log has the details under trace id {traceId}";
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        var wantsJson = context.Request.Path.StartsWithSegments("/api")
            || context.Request.GetTypedHeaders().Accept.Any(a => a.MediaType.Value is "application/json" or "application/problem+json");
        if (wantsJson && context.RequestServices.GetService<IProblemDetailsService>() is { } problems
            && await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = Title, Detail = detail },
                Exception = context.Features.Get<IExceptionHandlerFeature>()?.Error,
            }))
        {
            return;
        }

        context.Response.ContentType = "text/plain; charset=utf-8";
        await context.Response.WriteAsync($"{Title}: {detail}");
    }
}
