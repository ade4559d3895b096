using System.Text;
using Microsoft.AspNetCore.Mvc;

namespace ConferenceDemo.Control;

/// <summary>
/// How a control route says no: Problem Details (with the trace id) under /api or when the client asks for JSON,
/// one line of text otherwise, as the demo's GET URLs answer. Every refusal carries its reason.
/// </summary>
internal static class ControlAnswers
{
    private const string PlainText = "text/plain; charset=utf-8";

    public static bool WantsProblem(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/api") || ControlEndpoints.WantsJson(context.Request);

    public static IResult Refuse(HttpContext context, int status, string title, string detail) => WantsProblem(context)
        ? TypedResults.Problem(detail, statusCode: status, title: title)
        : Results.Text(detail, PlainText, Encoding.UTF8, status);

    /// <summary>The same answer, written straight to the response (sign-in challenges and rate limits run outside endpoints).</summary>
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        if (WantsProblem(context) && context.RequestServices.GetService<IProblemDetailsService>() is { } problems
            && await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
            }))
        {
            return;
        }

        context.Response.ContentType = PlainText;
        await context.Response.WriteAsync(detail, context.RequestAborted);
    }
}
