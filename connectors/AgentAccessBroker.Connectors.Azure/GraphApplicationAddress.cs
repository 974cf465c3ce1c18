using Microsoft.Graph;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// An application as the lease recorded it: <c>applications/{objectId}</c>, or <c>applications(appId='{appId}')</c>
/// when the target names no object id (Graph's alternate key).
/// </summary>
internal sealed record GraphApplicationAddress(string? ObjectId, string AppId, string Path)
{
    private const string ByAppIdPrefix = "applications(appId='";
    private const string ByObjectIdPrefix = "applications/";

    public static GraphApplicationAddress Parse(string path)
    {
        if (path.StartsWith(ByAppIdPrefix, StringComparison.Ordinal) && path.EndsWith("')", StringComparison.Ordinal))
        {
            return new(null, path[ByAppIdPrefix.Length..^2], path);
        }

        if (path.StartsWith(ByObjectIdPrefix, StringComparison.Ordinal) && path.Length > ByObjectIdPrefix.Length && !path[ByObjectIdPrefix.Length..].Contains('/'))
        {
            var objectId = path[ByObjectIdPrefix.Length..];
            return new(objectId, string.Empty, path);
        }

        throw new InvalidOperationException($"'{path}' is not a Graph application path this connector wrote.");
    }

    /// <summary>
    /// The URL of an action on an application addressed by app id. The SDK addresses actions only through the object
    /// id, while Graph also accepts them on the alternate key, so the request builder is given this URL instead.
    /// </summary>
    public string ActionUrl(GraphServiceClient client, string action) =>
        $"{client.RequestAdapter.BaseUrl?.TrimEnd('/')}/{ByAppIdPrefix}{Uri.EscapeDataString(AppId)}')/{action}";
}
