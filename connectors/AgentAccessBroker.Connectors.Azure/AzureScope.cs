namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// A requested resource: a resource group (<c>/subscriptions/{id}/resourceGroups/{rg}</c>) or a resource id under one.
/// Subscription and management-group scopes are refused: a lease is for exactly the named resources.
/// </summary>
internal static class AzureScope
{
    private const int MaxLength = 1024;

    /// <summary>Checks a requested scope; returns null when valid, or a message safe to show the agent.</summary>
    public static string? Check(string scope, string subscriptionId)
    {
        if (scope.Length is 0 or > MaxLength || scope[0] != '/' || scope.EndsWith('/'))
        {
            return $"'{Shorten(scope)}' is not an Azure scope: give '/subscriptions/{{id}}/resourceGroups/{{name}}' or a resource id, without a trailing '/'.";
        }

        var segments = scope[1..].Split('/');
        if (segments.Any(s => !IsSafeSegment(s)))
        {
            return $"'{Shorten(scope)}' has an empty or invalid path segment; allowed are letters, digits and - _ . ( ).";
        }

        if (segments.Length < 4
            || !segments[0].Equals("subscriptions", StringComparison.OrdinalIgnoreCase)
            || !segments[2].Equals("resourceGroups", StringComparison.OrdinalIgnoreCase))
        {
            return $"'{Shorten(scope)}' must be a resource group or a resource inside one; subscription-wide grants are not handed out.";
        }

        if (!Guid.TryParse(segments[1], out var subscription) || subscription != Guid.Parse(subscriptionId))
        {
            return $"'{Shorten(scope)}' is not in this target's subscription {subscriptionId}.";
        }

        // A resource id continues with providers/{namespace}/{type}/{name}[/{type}/{name}]...
        var rest = segments.Length - 4;
        if (rest > 0 && (!segments[4].Equals("providers", StringComparison.OrdinalIgnoreCase) || rest < 4 || rest % 2 != 0))
        {
            return $"'{Shorten(scope)}' is not a resource id: after the resource group expect /providers/{{namespace}}/{{type}}/{{name}}.";
        }

        if (segments.Skip(4).Any(s => s.Equals("Microsoft.Authorization", StringComparison.OrdinalIgnoreCase)))
        {
            return $"'{Shorten(scope)}' points into Microsoft.Authorization, which is never a grantable resource.";
        }

        return null;
    }

    /// <summary>The form used in derived names, so that case variants of one scope give the same assignment.</summary>
    public static string Canonical(string scope) => scope.ToLowerInvariant();

    private static bool IsSafeSegment(string segment) =>
        segment.Length > 0 && segment is not "." and not ".."
        && segment.All(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' or '(' or ')');

    private static string Shorten(string value) => value.Length <= 200 ? value : value[..200] + "...";
}
