using System.Collections.Frozen;

namespace ConferenceDemo.Dashboard;

/// <summary>One file of the page, as it is served.</summary>
public sealed record DashboardAsset(string Name, string ContentType, byte[] Content);

/// <summary>The page's HTML, CSS and JavaScript, built into the assembly (Dashboard/Assets): no build step, no CDN.</summary>
public sealed class DashboardAssets
{
    private const string Prefix = "Dashboard.";

    private readonly FrozenDictionary<string, DashboardAsset> _assets = Load();

    public DashboardAsset? Find(string name) => _assets.GetValueOrDefault(name);

    private static FrozenDictionary<string, DashboardAsset> Load()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var assets = new Dictionary<string, DashboardAsset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource[Prefix.Length..];
            assets[name] = new DashboardAsset(name, ContentTypeOf(name), copy.ToArray());
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentTypeOf(string name) => Path.GetExtension(name) switch
    {
        ".html" => "text/html; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
