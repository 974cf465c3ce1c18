using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azure.Core;
using Microsoft.Extensions.Logging;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Microsoft Graph v1.0 <c>addPassword</c> / <c>removePassword</c> on an application, over the same Azure.Core pipeline
/// (the Microsoft.Graph SDK is not available). The broker needs Application.ReadWrite.OwnedBy and must own the app.
/// </summary>
internal sealed class GraphApplicationPasswords(AzureRestClient graph, ILogger logger)
{
    /// <summary>Adds a secret that Entra ID itself stops accepting at <paramref name="endDateTime"/>.</summary>
    /// <remarks>Not idempotent: a retried call after a lost response can add a second secret. Both carry the lease's
    /// display name, and revocation removes every secret with that name.</remarks>
    public async Task<AddedApplicationPassword> AddAsync(
        AzureEndpoints endpoints, string applicationPath, string displayName, DateTimeOffset endDateTime, string leaseId, CancellationToken cancellationToken)
    {
        var body = new JsonObject
        {
            ["passwordCredential"] = new JsonObject
            {
                ["displayName"] = displayName,
                ["endDateTime"] = endDateTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            },
        };
        var operation = $"add a secret to {applicationPath}";
        var response = await graph.SendAsync(
            new AzureCall(RequestMethod.Post, endpoints.GraphUrl($"/v1.0/{applicationPath}/addPassword"), BinaryData.FromString(body.ToJsonString()), operation),
            cancellationToken).ConfigureAwait(false);
        if (response.Status != 200 && response.Status != 201)
        {
            throw response.ToException(operation);
        }

        using var json = response.Json();
        var root = json.RootElement;
        var added = new AddedApplicationPassword(
            root.GetProperty("keyId").GetString() ?? throw new InvalidOperationException("Graph addPassword returned no keyId."),
            root.GetProperty("secretText").GetString() ?? throw new InvalidOperationException("Graph addPassword returned no secret."),
            root.TryGetProperty("endDateTime", out var end) && end.ValueKind == JsonValueKind.String ? end.GetDateTimeOffset() : endDateTime);
        logger.PasswordAdded(added.KeyId, added.EndDateTime, leaseId);
        return added;
    }

    public async Task<IReadOnlyList<ApplicationPassword>> ListAsync(AzureEndpoints endpoints, string applicationPath, CancellationToken cancellationToken)
    {
        var operation = $"list the secrets of {applicationPath}";
        var response = await graph.SendAsync(
            new AzureCall(RequestMethod.Get, endpoints.GraphUrl($"/v1.0/{applicationPath}?$select=id,passwordCredentials"), null, operation),
            cancellationToken).ConfigureAwait(false);
        if (response is { Status: 404, ErrorCode: "Request_ResourceNotFound" })
        {
            // The application is gone, and its secrets with it.
            return [];
        }

        if (response.Status != 200)
        {
            throw response.ToException(operation);
        }

        using var json = response.Json();
        var passwords = new List<ApplicationPassword>();
        if (json.RootElement.TryGetProperty("passwordCredentials", out var credentials) && credentials.ValueKind == JsonValueKind.Array)
        {
            foreach (var credential in credentials.EnumerateArray())
            {
                passwords.Add(new ApplicationPassword(
                    credential.GetProperty("keyId").GetString() ?? string.Empty,
                    credential.TryGetProperty("displayName", out var name) ? name.GetString() : null,
                    credential.TryGetProperty("endDateTime", out var end) && end.ValueKind == JsonValueKind.String ? end.GetDateTimeOffset() : null));
            }
        }

        return passwords;
    }

    /// <summary>Removes one secret. False when Graph no longer knows it.</summary>
    public async Task<bool> RemoveAsync(AzureEndpoints endpoints, string applicationPath, ApplicationPassword password, CancellationToken cancellationToken)
    {
        var operation = $"remove secret {password.KeyId} from {applicationPath}";
        var body = new JsonObject { ["keyId"] = password.KeyId };
        var response = await graph.SendAsync(
            new AzureCall(RequestMethod.Post, endpoints.GraphUrl($"/v1.0/{applicationPath}/removePassword"), BinaryData.FromString(body.ToJsonString()), operation),
            cancellationToken).ConfigureAwait(false);
        switch (response.Status)
        {
            case 200 or 204:
                logger.PasswordRemoved(password.KeyId, password.DisplayName ?? "-");
                return true;
            case 404:
                return false;
            default:
                throw response.ToException(operation);
        }
    }
}
