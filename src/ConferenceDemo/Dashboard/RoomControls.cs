using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace ConferenceDemo.Dashboard;

/// <summary>One control the dashboard may show: its name and the path its button posts to.</summary>
/// <param name="Path">For a participant control, "{participant}" stands for the participant's call_control_id.</param>
public sealed record ControlLink(string Name, string Path);

/// <summary>The controls a room has: those on a participant, and those on the room itself (pull among them).</summary>
public sealed record RoomControls(IReadOnlyList<ControlLink> Participant, IReadOnlyList<ControlLink> Room);

/// <summary>
/// Which controls exist, read from the routes the server maps, so that the page never shows a button whose route
/// is missing. A control is named here with the routes that can carry it, the per-room route first; the default
/// room can also use the older routes without a room in them.
/// </summary>
public sealed partial class ControlCatalog(EndpointDataSource endpoints)
{
    public const string ParticipantToken = "{participant}";

    private static readonly string[] ParticipantActions =
        ["mute", "unmute", "hold", "unhold", "record-start", "record-stop", "kick"];

    private static readonly string[] RoomActions =
    [
        "lock", "unlock", "mute-all", "unmute-all", "speak", "play", "stop-audio", "end",
        "recording/start", "recording/stop", "recording/pause", "recording/resume",
    ];

    private HashSet<string>? _posts;

    public RoomControls For(string roomId, bool isDefaultRoom)
    {
        var room = Uri.EscapeDataString(roomId);
        var participant = new List<ControlLink>();
        foreach (var action in ParticipantActions)
        {
            if (Exists($"/api/rooms/{{}}/participants/{{}}/{action}"))
            {
                participant.Add(new(action, $"/api/rooms/{room}/participants/{ParticipantToken}/{action}"));
            }
            else if (isDefaultRoom && Exists($"/api/participants/{{}}/{action}"))
            {
                participant.Add(new(action, $"/api/participants/{ParticipantToken}/{action}"));
            }
        }

        var controls = new List<ControlLink>();
        if (Exists("/api/rooms/{}/calls"))
        {
            controls.Add(new("pull", $"/api/rooms/{room}/calls"));
        }
        else if (isDefaultRoom && Exists("/api/calls"))
        {
            controls.Add(new("pull", "/api/calls"));
        }

        foreach (var action in RoomActions)
        {
            if (Exists($"/api/rooms/{{}}/{action}"))
            {
                controls.Add(new(action, $"/api/rooms/{room}/{action}"));
            }
        }

        return new RoomControls(participant, controls);
    }

    private bool Exists(string shape) => (_posts ??= PostShapes()).Contains(shape);

    /// <summary>Every POST route as a shape: "/api/rooms/{id}/lock" becomes "/api/rooms/{}/lock".</summary>
    private HashSet<string> PostShapes()
    {
        var shapes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods;
            if (methods is null || !methods.Contains(HttpMethods.Post, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            shapes.Add(Shape(endpoint.RoutePattern));
        }

        return shapes;
    }

    private static string Shape(RoutePattern pattern)
    {
        var raw = pattern.RawText ?? string.Empty;
        var shape = Parameter().Replace(raw, "{}").TrimEnd('/');
        return shape.StartsWith('/') ? shape : "/" + shape;
    }

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Parameter();
}
