using System.Text.Json.Nodes;

namespace AgentAccessBroker.Connectors.Azure.Tests.Fakes;

/// <summary>Microsoft Graph v1.0 application secrets: addPassword, removePassword, and reading passwordCredentials.</summary>
internal sealed partial class FakeAzureCloud
{
    private FakeResponse Graph(string method, string path, string body, FakePrincipal caller)
    {
        // /v1.0/applications/{objectId}[/action] or /v1.0/applications(appId='{appId}')[/action]
        var rest = path["/v1.0/".Length..];
        string address, action;
        if (rest.StartsWith("applications(", StringComparison.Ordinal) && rest.IndexOf(')', StringComparison.Ordinal) is var close and > 0)
        {
            address = rest[..(close + 1)];
            action = rest[(close + 1)..].TrimStart('/');
        }
        else if (rest.Split('/') is ["applications", var objectId, .. var tail] && tail.Length <= 1)
        {
            address = "applications/" + objectId;
            action = tail.FirstOrDefault() ?? string.Empty;
        }
        else
        {
            return GraphError(400, "BadRequest", $"Unsupported Graph path {path}.");
        }

        lock (_gate)
        {
            var application = _principals.Values.FirstOrDefault(p =>
                address == $"applications/{p.ApplicationObjectId}" || address == $"applications(appId='{p.AppId}')");
            if (application is null)
            {
                return GraphError(404, "Request_ResourceNotFound", $"Resource '{address}' does not exist or one of its queried reference-property objects are not present.");
            }

            // The broker owns the agents' applications and holds Application.ReadWrite.OwnedBy.
            if (caller != Broker || application == Broker)
            {
                return GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");
            }

            return (method, action) switch
            {
                ("GET", "") => new FakeResponse(200, new JsonObject
                {
                    ["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#applications(id,passwordCredentials)/$entity",
                    ["id"] = application.ApplicationObjectId,
                    ["passwordCredentials"] = new JsonArray([.. application.Passwords.Select(p => (JsonNode)PasswordJson(p, includeSecret: false))]),
                }),
                ("POST", "addPassword") => AddPassword(application, body),
                ("POST", "removePassword") => RemovePassword(application, body),
                _ => GraphError(400, "BadRequest", $"Unsupported {method} {action}."),
            };
        }
    }

    private FakeResponse AddPassword(FakePrincipal application, string body)
    {
        var credential = JsonNode.Parse(body)?["passwordCredential"];
        var displayName = credential?["displayName"]?.GetValue<string>() ?? string.Empty;
        var now = Now();
        var end = credential?["endDateTime"]?.GetValue<DateTimeOffset>() ?? now.AddYears(2);
        if (end <= now)
        {
            return GraphError(400, "InvalidPasswordCredential", "endDateTime must be in the future.");
        }

        var secret = RandomText(3) + "8Q~" + RandomText(34);
        var password = new FakePassword(Guid.NewGuid().ToString("D"), displayName, secret, now, end);
        application.Passwords.Add(password);
        var json = PasswordJson(password, includeSecret: true);
        json["@odata.context"] = "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.passwordCredential";
        return new FakeResponse(200, json);
    }

    private static FakeResponse RemovePassword(FakePrincipal application, string body)
    {
        var keyId = JsonNode.Parse(body)?["keyId"]?.GetValue<string>();
        var password = application.Passwords.FirstOrDefault(p => string.Equals(p.KeyId, keyId, StringComparison.OrdinalIgnoreCase));
        if (password is null)
        {
            // Graph's exact answer for an unknown keyId is not documented; the connector lists before it removes.
            return GraphError(404, "Request_ResourceNotFound", $"No password credential found with keyId {keyId}.");
        }

        application.Passwords.Remove(password);
        return new FakeResponse(204);
    }

    private static JsonObject PasswordJson(FakePassword password, bool includeSecret) => new()
    {
        ["customKeyIdentifier"] = null,
        ["displayName"] = password.DisplayName,
        ["endDateTime"] = password.EndDateTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
        ["hint"] = password.SecretText[..3],
        ["keyId"] = password.KeyId,
        ["secretText"] = includeSecret ? password.SecretText : null,
        ["startDateTime"] = password.StartDateTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ"),
    };

    private static FakeResponse GraphError(int status, string code, string message) =>
        new(status, new JsonObject
        {
            ["error"] = new JsonObject
            {
                ["code"] = code,
                ["message"] = message,
                ["innerError"] = new JsonObject { ["request-id"] = Guid.NewGuid().ToString(), ["date"] = DateTimeOffset.UtcNow.ToString("s") },
            },
        });
}
