using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Aws;

/// <summary>A policy target's AWS settings, parsed and checked.</summary>
internal sealed partial record AwsTarget(
    string RoleArn,
    string Partition,
    string AccountId,
    string RoleName,
    string Region,
    TimeSpan MaxSessionDuration,
    string? ExternalId,
    Uri? StsEndpoint,
    Uri IamEndpoint,
    string IamSigningRegion,
    RoleChaining BrokerUsesRoleCredentials,
    int DenyPolicyMaxChars)
{
    public const string RoleArnKey = "role_arn";
    public const string RegionKey = "region";
    public const string MaxSessionDurationKey = "max_session_duration";
    public const string ExternalIdKey = "external_id";
    public const string StsEndpointKey = "sts_endpoint";
    public const string IamEndpointKey = "iam_endpoint";
    public const string BrokerUsesRoleCredentialsKey = "broker_uses_role_credentials";
    public const string DenyPolicyMaxCharsKey = "deny_policy_max_chars";

    /// <summary>
    /// IAM allows 10,240 non-whitespace characters across all inline policies of a role. The default leaves 2,048 for
    /// other inline policies the role may carry, which the broker cannot see without iam:ListRolePolicies.
    /// </summary>
    public const int DefaultDenyPolicyMaxChars = 8192;

    public const int IamInlinePolicyAggregateLimit = 10240;

    private static readonly string[] KnownKeys =
    [
        RoleArnKey, RegionKey, MaxSessionDurationKey, ExternalIdKey, StsEndpointKey, IamEndpointKey,
        BrokerUsesRoleCredentialsKey, DenyPolicyMaxCharsKey,
    ];

    /// <summary>Parses the settings, collecting one problem per bad key. Returns null when any problem was found.</summary>
    public static AwsTarget? TryParse(TargetSettings settings, List<TargetSettingProblem> problems)
    {
        var before = problems.Count;
        foreach (var key in settings.Settings.Keys.Where(k => !KnownKeys.Contains(k, StringComparer.Ordinal)))
        {
            problems.Add(new(key, $"Unknown setting for the aws connector. Known settings: {string.Join(", ", KnownKeys)}."));
        }

        foreach (var key in settings.SecretReferences.Keys)
        {
            problems.Add(new(key, "The aws connector takes no secrets from the policy: the broker's own AWS credentials come from the AWS SDK credential chain."));
        }

        string partition = "aws", account = string.Empty, roleName = string.Empty;
        var roleArn = settings.Get(RoleArnKey);
        if (string.IsNullOrWhiteSpace(roleArn))
        {
            problems.Add(new(RoleArnKey, "Required: the ARN of the role sessions are minted from, e.g. arn:aws:iam::123456789012:role/agent-reader."));
        }
        else if (RoleArnPattern().Match(roleArn) is not { Success: true } match)
        {
            problems.Add(new(RoleArnKey, $"'{roleArn}' is not an IAM role ARN (expected arn:aws:iam::<12-digit account>:role/[path/]<name>, name of 1-64 characters from letters, digits and _+=,.@-)."));
        }
        else
        {
            partition = match.Groups["partition"].Value;
            account = match.Groups["account"].Value;
            roleName = match.Groups["name"].Value;
        }

        var region = settings.Get(RegionKey) ?? "us-east-1";
        if (!RegionPattern().IsMatch(region))
        {
            problems.Add(new(RegionKey, $"'{region}' is not an AWS region name such as us-east-1 or eu-west-2."));
        }

        var maxSession = TimeSpan.FromHours(1);
        if (settings.Get(MaxSessionDurationKey) is { } maxText)
        {
            if (!TryParseDuration(maxText, out maxSession) || maxSession < TimeSpan.FromHours(1) || maxSession > TimeSpan.FromHours(12))
            {
                problems.Add(new(MaxSessionDurationKey, $"'{maxText}' is not a role maximum session duration between 1h and 12h (write e.g. 1h, 90m, 7200 or PT4H); it must equal the role's MaxSessionDuration."));
            }
        }

        var externalId = settings.Get(ExternalIdKey);
        if (externalId is not null && !ExternalIdPattern().IsMatch(externalId))
        {
            problems.Add(new(ExternalIdKey, "Must be 2-1224 characters from letters, digits and _+=,.@:/-."));
        }

        var sts = ParseEndpoint(settings, StsEndpointKey, problems);
        var iamOverride = ParseEndpoint(settings, IamEndpointKey, problems);
        var (iamDefault, iamRegion) = IamEndpointFor(partition);
        if (iamDefault is null && iamOverride is null && roleArn is not null)
        {
            problems.Add(new(RoleArnKey, $"Partition '{partition}' has no known IAM endpoint; set {IamEndpointKey}."));
        }

        var chaining = RoleChaining.Auto;
        switch (settings.Get(BrokerUsesRoleCredentialsKey)?.Trim().ToLowerInvariant())
        {
            case null or "auto":
                break;
            case "true":
                chaining = RoleChaining.Yes;
                break;
            case "false":
                chaining = RoleChaining.No;
                break;
            default:
                problems.Add(new(BrokerUsesRoleCredentialsKey, "Must be true, false or auto."));
                break;
        }

        var denyMax = DefaultDenyPolicyMaxChars;
        if (settings.Get(DenyPolicyMaxCharsKey) is { } denyText
            && (!int.TryParse(denyText, NumberStyles.None, CultureInfo.InvariantCulture, out denyMax) || denyMax < 1024 || denyMax > IamInlinePolicyAggregateLimit))
        {
            problems.Add(new(DenyPolicyMaxCharsKey, $"Must be a whole number of characters between 1024 and {IamInlinePolicyAggregateLimit} (IAM's limit for all inline policies of a role together)."));
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new AwsTarget(roleArn!, partition, account, roleName, region, maxSession, externalId, sts, iamOverride ?? iamDefault!, iamRegion, chaining, denyMax);
    }

    /// <summary>Parses valid settings or throws naming every problem (misconfiguration, not a caller error).</summary>
    public static AwsTarget Parse(TargetSettings settings)
    {
        var problems = new List<TargetSettingProblem>();
        return TryParse(settings, problems)
            ?? throw new InvalidOperationException($"Target '{settings.Name}' has invalid aws settings: " + string.Join(" ", problems.Select(p => $"{p.Key}: {p.Message}")));
    }

    internal static bool TryParseDuration(string text, out TimeSpan duration)
    {
        text = text.Trim();
        duration = default;
        if (text.Length == 0)
        {
            return false;
        }

        if (text.StartsWith('P'))
        {
            try
            {
                duration = XmlConvert.ToTimeSpan(text);
                return true;
            }
            catch (FormatException)
            {
                return false;
            }
        }

        var unit = char.IsAsciiLetter(text[^1]) ? char.ToLowerInvariant(text[^1]) : 's';
        var number = char.IsAsciiLetter(text[^1]) ? text[..^1] : text;
        if (!int.TryParse(number, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        switch (unit)
        {
            case 's':
                duration = TimeSpan.FromSeconds(value);
                return true;
            case 'm':
                duration = TimeSpan.FromMinutes(value);
                return true;
            case 'h':
                duration = TimeSpan.FromHours(value);
                return true;
            default:
                return false;
        }
    }

    private static (Uri? Endpoint, string SigningRegion) IamEndpointFor(string partition) => partition switch
    {
        "aws" => (new Uri("https://iam.amazonaws.com/"), "us-east-1"),
        "aws-cn" => (new Uri("https://iam.cn-north-1.amazonaws.com.cn/"), "cn-north-1"),
        "aws-us-gov" => (new Uri("https://iam.us-gov.amazonaws.com/"), "us-gov-west-1"),
        _ => (null, "us-east-1"),
    };

    private static Uri? ParseEndpoint(TargetSettings settings, string key, List<TargetSettingProblem> problems)
    {
        if (settings.Get(key) is not { } text)
        {
            return null;
        }

        if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp) && uri.AbsolutePath == "/")
        {
            return uri;
        }

        problems.Add(new(key, $"'{text}' is not an absolute http(s) URL with no path (e.g. https://sts.eu-west-1.amazonaws.com/)."));
        return null;
    }

    [GeneratedRegex(@"^arn:(?<partition>aws|aws-cn|aws-us-gov|aws-iso(?:-[a-z])?):iam::(?<account>\d{12}):role/(?:[\x21-\x7E]*/)?(?<name>[A-Za-z0-9_+=,.@-]{1,64})$", RegexOptions.CultureInvariant)]
    private static partial Regex RoleArnPattern();

    [GeneratedRegex(@"^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex RegionPattern();

    [GeneratedRegex(@"^[A-Za-z0-9_+=,.@:/-]{2,1224}$", RegexOptions.CultureInvariant)]
    private static partial Regex ExternalIdPattern();
}
