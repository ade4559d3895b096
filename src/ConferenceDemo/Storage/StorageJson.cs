using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using ConferenceDemo.Rooms;

namespace ConferenceDemo.Storage;

/// <summary>
/// How rooms, inputs, commands and events are written to a database: JSON whose polymorphic records carry a "$type"
/// (the record's type name), enums by name. The domain carries no attributes: every concrete subtype of
/// <see cref="RoomInput"/>, <see cref="RoomCommand"/> and <see cref="RoomEvent"/> is found by reflection, so a new
/// one is stored without any change here. Computed properties (Name, Leg, Succeeded…) are not written.
/// </summary>
public static class StorageJson
{
    private static readonly Type[] PolymorphicBases = [typeof(RoomInput), typeof(RoomCommand), typeof(RoomEvent)];

    public static JsonSerializerOptions Options { get; } = Create();

    /// <summary>The concrete types stored under <paramref name="baseType"/>, by name.</summary>
    public static IReadOnlyList<Type> SubtypesOf(Type baseType)
    {
        ArgumentNullException.ThrowIfNull(baseType);
        return [.. baseType.Assembly.GetTypes().Where(t => t.IsSubclassOf(baseType) && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal)];
    }

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options) ?? throw new JsonException($"stored {typeof(T).Name} is null");

    private static JsonSerializerOptions Create()
    {
        var resolver = new DefaultJsonTypeInfoResolver();
        resolver.Modifiers.Add(DescribePolymorphism);
        resolver.Modifiers.Add(SkipComputedProperties);
        var options = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            TypeInfoResolver = resolver,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            Converters = { new JsonStringEnumConverter(), new ImmutableArrayConverterFactory() },
        };
        options.MakeReadOnly();
        return options;
    }

    private static void DescribePolymorphism(JsonTypeInfo info)
    {
        if (Array.IndexOf(PolymorphicBases, info.Type) < 0)
        {
            return;
        }

        info.PolymorphismOptions = new JsonPolymorphismOptions
        {
            TypeDiscriminatorPropertyName = "$type",
            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
        };
        foreach (var subtype in SubtypesOf(info.Type))
        {
            info.PolymorphismOptions.DerivedTypes.Add(new JsonDerivedType(subtype, subtype.Name));
        }
    }

    private static void SkipComputedProperties(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        var parameters = info.CreateObject is null
            ? info.Type.GetConstructors().SelectMany(c => c.GetParameters()).Select(p => p.Name).ToHashSet(StringComparer.OrdinalIgnoreCase)
            : [];
        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            var property = info.Properties[i];
            if (property.Set is null && !parameters.Contains(property.Name))
            {
                info.Properties.RemoveAt(i);
            }
        }
    }

    /// <summary>ImmutableArray with its default (no array at all) written as null and read back as default.</summary>
    private sealed class ImmutableArrayConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) =>
            typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ImmutableArray<>);

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ImmutableArrayConverter<>).MakeGenericType(typeToConvert.GetGenericArguments()[0]))!;
    }

    private sealed class ImmutableArrayConverter<T> : JsonConverter<ImmutableArray<T>>
    {
        public override bool HandleNull => true;

        public override ImmutableArray<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? default : [.. JsonSerializer.Deserialize<T[]>(ref reader, options)!];

        public override void Write(Utf8JsonWriter writer, ImmutableArray<T> value, JsonSerializerOptions options)
        {
            if (value.IsDefault)
            {
                writer.WriteNullValue();
                return;
            }

            JsonSerializer.Serialize(writer, value.AsSpan().ToArray(), options);
        }
    }
}
