using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>Where ARM, Entra ID and Microsoft Graph are reached. Overridable per target so tests can use a local fake.</summary>
internal sealed record AzureEndpoints(Uri Arm, Uri Login, Uri Graph)
{
    public const string ArmEndpointKey = "arm_endpoint";
    public const string LoginEndpointKey = "login_endpoint";
    public const string GraphEndpointKey = "graph_endpoint";

    /// <summary>Token audiences stay the public cloud's even when the endpoints are overridden (a fake accepts them).</summary>
    public const string ArmScope = "https://management.azure.com/.default";
    public const string GraphScope = "https://graph.microsoft.com/.default";

    public static readonly Uri PublicArm = new("https://management.azure.com/");
    public static readonly Uri PublicLogin = new("https://login.microsoftonline.com/");
    public static readonly Uri PublicGraph = new("https://graph.microsoft.com/");

    public bool IsCustomLogin => Login != PublicLogin;

    public static AzureEndpoints Parse(TargetSettings settings, List<TargetSettingProblem> problems) =>
        new(
            ParseOne(settings, ArmEndpointKey, PublicArm, problems),
            ParseOne(settings, LoginEndpointKey, PublicLogin, problems),
            ParseOne(settings, GraphEndpointKey, PublicGraph, problems));

    /// <summary>For revocation, which must work even if other settings of the target changed since the mint.</summary>
    public static AzureEndpoints Parse(TargetSettings settings)
    {
        var problems = new List<TargetSettingProblem>();
        var endpoints = Parse(settings, problems);
        return problems.Count == 0
            ? endpoints
            : throw new InvalidOperationException($"Azure target '{settings.Name}' is misconfigured: " + string.Join("; ", problems.Select(p => $"{p.Key}: {p.Message}")));
    }

    /// <summary>An ARM URL for a path that starts with '/' (a scope, maybe followed by a provider path).</summary>
    public Uri ArmUrl(string pathAndQuery) => Combine(Arm, pathAndQuery);

    public Uri GraphUrl(string pathAndQuery) => Combine(Graph, pathAndQuery);

    private static Uri Combine(Uri root, string pathAndQuery) =>
        new(root.GetLeftPart(UriPartial.Path).TrimEnd('/') + pathAndQuery);

    private static Uri ParseOne(TargetSettings settings, string key, Uri fallback, List<TargetSettingProblem> problems)
    {
        var value = settings.Get(key);
        if (value is null)
        {
            return fallback;
        }

        // Azure.Core refuses bearer tokens over plain http, and a token must never travel unencrypted anyway.
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps || !string.IsNullOrEmpty(uri.Query))
        {
            problems.Add(new(key, "must be an absolute https URL without a query."));
            return fallback;
        }

        return uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}
