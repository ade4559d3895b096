using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace ConferenceDemo.Simulator;

/// <summary>Why Telnyx would refuse a request: its error code and title, a short detail, and where (JSON pointer).</summary>
public sealed record SchemaViolation(string Code, string Title, string Detail, string? Pointer = null, string? Parameter = null);

/// <summary>
/// Checks requests against Telnyx's own request schemas (telnyx-request-schemas.json, made from the OpenAPI spec by
/// tools/make-simulator-schemas.py), as a spec-driven mock does: required fields, JSON types, enums, ranges, lengths,
/// formats, oneOf and closed objects, in the body, the query string and the path. The first violation is reported.
/// </summary>
public sealed class TelnyxRequestSchemas
{
    private readonly JsonDocument _document;
    private readonly Dictionary<string, JsonElement> _operations = new(StringComparer.Ordinal);

    private TelnyxRequestSchemas(JsonDocument document)
    {
        _document = document;
        foreach (var operation in document.RootElement.GetProperty("operations").EnumerateObject())
        {
            _operations[operation.Name] = operation.Value;
        }
    }

    /// <summary>The schemas shipped inside the server.</summary>
    public static TelnyxRequestSchemas Load()
    {
        using var stream = typeof(TelnyxRequestSchemas).Assembly.GetManifestResourceStream("ConferenceDemo.Simulator.telnyx-request-schemas.json")
            ?? throw new InvalidOperationException("telnyx-request-schemas.json is not embedded in the server");
        return new TelnyxRequestSchemas(JsonDocument.Parse(stream));
    }

    public IEnumerable<string> Operations => _operations.Keys;

    /// <summary>
    /// Null when the request is one the spec accepts. <paramref name="operation"/> is "POST /calls/{call_control_id}/actions/answer";
    /// <paramref name="body"/> is null when the request had none.
    /// </summary>
    public SchemaViolation? Validate(string operation, JsonElement? body, IReadOnlyDictionary<string, string>? path = null,
        IEnumerable<KeyValuePair<string, string>>? query = null)
    {
        if (!_operations.TryGetValue(operation, out var spec))
        {
            throw new ArgumentException($"no schema for {operation}", nameof(operation));
        }

        foreach (var parameter in spec.GetProperty("parameters").EnumerateArray())
        {
            var violation = parameter.GetProperty("in").GetString() switch
            {
                "path" => CheckPathParameter(parameter, path),
                "query" => CheckQueryParameter(parameter, query ?? []),
                _ => null,
            };
            if (violation is not null)
            {
                return violation;
            }
        }

        if (!spec.TryGetProperty("body", out var bodySchema))
        {
            return null;
        }

        if (body is not { } value)
        {
            return spec.TryGetProperty("bodyRequired", out var required) && required.GetBoolean()
                ? new SchemaViolation("10004", "Missing required parameter", "The request body is required; send at least {}.")
                : null;
        }

        return Check(value, bodySchema, "");
    }

    private static SchemaViolation? CheckPathParameter(JsonElement parameter, IReadOnlyDictionary<string, string>? path)
    {
        var name = parameter.GetProperty("name").GetString()!;
        if (path is null || !path.TryGetValue(name, out var text))
        {
            return null;
        }

        using var value = JsonDocument.Parse(JsonSerializer.Serialize(text));
        return Check(value.RootElement, parameter.GetProperty("schema"), "", name);
    }

    private static SchemaViolation? CheckQueryParameter(JsonElement parameter, IEnumerable<KeyValuePair<string, string>> query)
    {
        var name = parameter.GetProperty("name").GetString()!;
        var schema = parameter.GetProperty("schema");
        var deep = parameter.TryGetProperty("style", out var style) && style.ValueKind == JsonValueKind.String && style.GetString() == "deepObject";
        var pairs = query.Where(p => deep ? p.Key.StartsWith(name + "[", StringComparison.Ordinal) : p.Key == name).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }

        if (!deep)
        {
            return CheckQueryValue(pairs[0].Value, schema, name);
        }

        foreach (var (key, text) in pairs)
        {
            // filter[occurred_at][gte]=... walks down the object's properties, one [segment] at a time.
            var segments = key[name.Length..].Split(']', StringSplitOptions.RemoveEmptyEntries).Select(s => s.TrimStart('[')).ToList();
            var current = schema;
            foreach (var segment in segments)
            {
                if (current.TryGetProperty("properties", out var properties) && properties.TryGetProperty(segment, out var child))
                {
                    current = child;
                }
                else if (current.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False)
                {
                    return new SchemaViolation("10015", "Invalid parameter", $"{key} is not a known query parameter.", Parameter: key);
                }
                else
                {
                    current = default;
                    break;
                }
            }

            if (current.ValueKind == JsonValueKind.Object && CheckQueryValue(text, current, key) is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    /// <summary>A query value is text; it is read as the type its schema asks for, as a spec-driven mock coerces it.</summary>
    private static SchemaViolation? CheckQueryValue(string text, JsonElement schema, string parameter)
    {
        var types = Types(schema);
        string json;
        if (types.Contains("integer") || types.Contains("number"))
        {
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                return new SchemaViolation("10015", "Invalid parameter", $"{parameter} must be a number.", Parameter: parameter);
            }

            json = text;
        }
        else if (types.Contains("boolean"))
        {
            if (text is not ("true" or "false"))
            {
                return new SchemaViolation("10015", "Invalid parameter", $"{parameter} must be true or false.", Parameter: parameter);
            }

            json = text;
        }
        else
        {
            json = JsonSerializer.Serialize(text);
        }

        using var value = JsonDocument.Parse(json);
        return Check(value.RootElement, schema, "", parameter);
    }

    private static HashSet<string> Types(JsonElement schema)
    {
        if (!schema.TryGetProperty("type", out var type))
        {
            return [];
        }

        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).ToHashSet()
            : [type.GetString()!];
    }

    private static string Name(string pointer, string? parameter) =>
        parameter ?? (pointer.Length == 0 ? "the body" : pointer.TrimStart('/').Replace('/', '.'));

    private static SchemaViolation Invalid(string pointer, string? parameter, string detail) =>
        new("10015", "Invalid parameter", detail, parameter is null ? pointer : null, parameter);

    /// <summary>The JSON Schema keywords Telnyx's request schemas use.</summary>
    private static SchemaViolation? Check(JsonElement value, JsonElement schema, string pointer, string? parameter = null)
    {
        var name = Name(pointer, parameter);
        var types = Types(schema);
        if (types.Count > 0 && !types.Any(t => IsType(value, t)))
        {
            return Invalid(pointer, parameter, $"{name} must be {string.Join(" or ", types.Order(StringComparer.Ordinal))}.");
        }

        if (schema.TryGetProperty("enum", out var allowed) && !allowed.EnumerateArray().Any(a => JsonElement.DeepEquals(a, value)))
        {
            return new SchemaViolation("10032", "Invalid value",
                $"{name} must be one of: {string.Join(", ", allowed.EnumerateArray().Select(a => a.ToString()))}.", parameter is null ? pointer : null, parameter);
        }

        if (value.ValueKind == JsonValueKind.Number && CheckNumber(value, schema, name) is { } range)
        {
            return range with { Pointer = parameter is null ? pointer : null, Parameter = parameter };
        }

        if (value.ValueKind == JsonValueKind.String && CheckString(value.GetString()!, schema, name) is { } text)
        {
            return text with { Pointer = parameter is null ? pointer : null, Parameter = parameter };
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            var matches = oneOf.EnumerateArray().Count(option => Check(value, option, pointer, parameter) is null);
            if (matches != 1)
            {
                return Invalid(pointer, parameter, matches == 0
                    ? $"{name} does not have any of the shapes the API accepts."
                    : $"{name} matches more than one of the shapes the API accepts; say which (for example with its type field).");
            }
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => CheckObject(value, schema, pointer),
            JsonValueKind.Array => CheckArray(value, schema, pointer, name),
            _ => null,
        };
    }

    private static bool IsType(JsonElement value, string type) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var d) && decimal.Truncate(d) == d,
        _ => true,
    };

    private static SchemaViolation? CheckNumber(JsonElement value, JsonElement schema, string name)
    {
        var number = value.GetDouble();
        if (schema.TryGetProperty("minimum", out var min) && number < min.GetDouble())
        {
            return new SchemaViolation("10033", "Out of range", $"{name} must be at least {min}.");
        }

        if (schema.TryGetProperty("maximum", out var max) && number > max.GetDouble())
        {
            return new SchemaViolation("10033", "Out of range", $"{name} must be at most {max}.");
        }

        if (schema.TryGetProperty("format", out var format) && format.GetString() == "int32" && number is < int.MinValue or > int.MaxValue)
        {
            return new SchemaViolation("10033", "Out of range", $"{name} must be a 32-bit whole number.");
        }

        return null;
    }

    private static SchemaViolation? CheckString(string text, JsonElement schema, string name)
    {
        var length = text.EnumerateRunes().Count();
        if (schema.TryGetProperty("minLength", out var min) && length < min.GetInt32())
        {
            return new SchemaViolation("10015", "Invalid parameter", $"{name} must be at least {min} characters.");
        }

        if (schema.TryGetProperty("maxLength", out var max) && length > max.GetInt32())
        {
            return new SchemaViolation("10015", "Invalid parameter", $"{name} must be at most {max} characters.");
        }

        if (schema.TryGetProperty("pattern", out var pattern) && !Regex.IsMatch(text, pattern.GetString()!, RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            return new SchemaViolation("10015", "Invalid parameter", $"{name} does not have the expected form.");
        }

        if (schema.TryGetProperty("format", out var format))
        {
            var ok = format.GetString() switch
            {
                "uuid" => Guid.TryParseExact(text, "D", out _),
                "uri" => Uri.TryCreate(text, UriKind.Absolute, out _),
                _ => true,
            };
            if (!ok)
            {
                return new SchemaViolation("10015", "Invalid parameter", $"{name} must be a {format.GetString()}.");
            }
        }

        return null;
    }

    private static SchemaViolation? CheckObject(JsonElement value, JsonElement schema, string pointer)
    {
        if (schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array)
        {
            foreach (var field in required.EnumerateArray().Select(r => r.GetString()!))
            {
                if (!value.TryGetProperty(field, out _))
                {
                    return new SchemaViolation("10004", "Missing required parameter",
                        $"The '{field}' parameter is required and cannot be blank.", $"{pointer}/{field}");
                }
            }
        }

        schema.TryGetProperty("properties", out var properties);
        schema.TryGetProperty("additionalProperties", out var additional);
        foreach (var property in value.EnumerateObject())
        {
            var childPointer = $"{pointer}/{property.Name}";
            if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var childSchema))
            {
                if (Check(property.Value, childSchema, childPointer) is { } violation)
                {
                    return violation;
                }
            }
            else if (additional.ValueKind == JsonValueKind.False)
            {
                return Invalid(childPointer, null, $"{childPointer.TrimStart('/').Replace('/', '.')} is not a field this request accepts.");
            }
            else if (additional.ValueKind == JsonValueKind.Object && Check(property.Value, additional, childPointer) is { } violation)
            {
                return violation;
            }
        }

        return null;
    }

    private static SchemaViolation? CheckArray(JsonElement value, JsonElement schema, string pointer, string name)
    {
        if (schema.TryGetProperty("maxItems", out var max) && value.GetArrayLength() > max.GetInt32())
        {
            return Invalid(pointer, null, $"{name} may hold at most {max} items.");
        }

        if (!schema.TryGetProperty("items", out var items))
        {
            return null;
        }

        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            if (Check(item, items, $"{pointer}/{index++}") is { } violation)
            {
                return violation;
            }
        }

        return null;
    }
}
