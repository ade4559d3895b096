using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace ConferenceDemo.Control;

/// <summary>A query parameter a handler reads itself (the demo's GET URLs), so that the OpenAPI document lists it.</summary>
internal sealed record QueryParameter(string Name, string Description, string Example);

/// <summary>
/// What the OpenAPI document says beyond what the endpoints declare: the two sign-in schemes (HTTP Basic and a
/// Bearer token), applied to every control route with the 401 and 429 each of them can answer, and the query
/// parameters of the GET URLs.
/// </summary>
internal sealed class ControlOpenApi : IOpenApiDocumentTransformer, IOpenApiOperationTransformer
{
    public const string Basic = "basic";
    public const string Bearer = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Basic] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "basic",
            Description = "CONTROL_USER and CONTROL_PASSWORD (curl -u, or the browser's prompt)",
        };
        document.Components.SecuritySchemes[Bearer] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "CONTROL_TOKEN, for scripts",
        };
        return Task.CompletedTask;
    }

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        foreach (var query in metadata.OfType<QueryParameter>())
        {
            operation.Parameters ??= [];
            if (!operation.Parameters.Any(p => p.Name == query.Name))
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = query.Name,
                    In = ParameterLocation.Query,
                    Required = true,
                    Description = query.Description,
                    Example = System.Text.Json.Nodes.JsonValue.Create(query.Example),
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                });
            }
        }

        if (!metadata.OfType<ControlRoute>().Any())
        {
            return Task.CompletedTask;
        }

        // Either scheme signs in: two alternative requirements.
        operation.Security ??= [];
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Basic, context.Document)] = [] });
        operation.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Bearer, context.Document)] = [] });

        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd("401", new OpenApiResponse { Description = "not signed in, or wrong credentials (WWW-Authenticate says how)" });
        operation.Responses.TryAdd("429", new OpenApiResponse
        {
            Description = "too many requests or failed sign-ins from this client (CONTROL_RATE_LIMIT_PER_MINUTE, " +
                "CONTROL_AUTH_FAILURES_PER_MINUTE), or too many pulls (PULL_RATE_LIMIT_PER_MINUTE); Retry-After says when to try again",
        });
        return Task.CompletedTask;
    }
}
