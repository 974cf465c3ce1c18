using System.Text.Json;
using AgentAccessBroker.Credentials;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Everything revocation needs, as stored in the lease row: the mode, the agent principal, and the names of what was
/// (or was about to be) created. No secret: client-secret mode stores the secret's key id and display name only.
/// </summary>
internal sealed record AzureLeasePlan(
    AzureMintMode Mode,
    string PrincipalObjectId,
    string SubscriptionId,
    IReadOnlyList<PlannedGrant> Grants,
    string? ApplicationPath,
    string? PasswordDisplayName,
    string? PasswordKeyId)
{
    private const string ModeKey = "mode";
    private const string PrincipalKey = "principal_object_id";
    private const string SubscriptionKey = "subscription_id";
    private const string GrantsKey = "grants";
    private const string ApplicationKey = "application";
    private const string PasswordDisplayNameKey = "password_display_name";
    private const string PasswordKeyIdKey = "password_key_id";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public RevocationData ToRevocationData()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [ModeKey] = ModeName(Mode),
            [PrincipalKey] = PrincipalObjectId,
            [SubscriptionKey] = SubscriptionId,
            [GrantsKey] = JsonSerializer.Serialize(Grants, Json),
        };
        Add(values, ApplicationKey, ApplicationPath);
        Add(values, PasswordDisplayNameKey, PasswordDisplayName);
        Add(values, PasswordKeyIdKey, PasswordKeyId);
        return new RevocationData(values);
    }

    public static AzureLeasePlan From(RevocationData data)
    {
        var mode = data.Require(ModeKey) switch
        {
            "assignment" => AzureMintMode.Assignment,
            "pim" => AzureMintMode.Pim,
            "client_secret" => AzureMintMode.ClientSecret,
            var other => throw new InvalidOperationException($"Revocation data names an unknown Azure mode '{other}'."),
        };
        var grants = JsonSerializer.Deserialize<List<PlannedGrant>>(data.Require(GrantsKey), Json)
            ?? throw new InvalidOperationException("Revocation data has no Azure grants.");
        return new AzureLeasePlan(
            mode,
            data.Require(PrincipalKey),
            data.Require(SubscriptionKey),
            grants,
            data.Get(ApplicationKey),
            data.Get(PasswordDisplayNameKey),
            data.Get(PasswordKeyIdKey));
    }

    private static string ModeName(AzureMintMode mode) => mode switch
    {
        AzureMintMode.Pim => "pim",
        AzureMintMode.ClientSecret => "client_secret",
        _ => "assignment",
    };

    private static void Add(Dictionary<string, string> values, string key, string? value)
    {
        if (value is not null)
        {
            values[key] = value;
        }
    }
}
