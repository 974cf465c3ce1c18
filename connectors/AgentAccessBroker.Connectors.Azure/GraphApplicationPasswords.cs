using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Graph;
using Microsoft.Graph.Applications.Item.AddPassword;
using Microsoft.Graph.Applications.Item.RemovePassword;
using Microsoft.Graph.Models;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;

namespace AgentAccessBroker.Connectors.Azure;

/// <summary>
/// Microsoft Graph v1.0 <c>addPassword</c> / <c>removePassword</c> / list on an application, through the Microsoft.Graph
/// SDK. The SDK builds and parses the requests; they travel through <see cref="AzurePipelineHandler"/>, so Graph calls
/// share the ARM calls' token policy, transport, retries and logging. The broker needs Application.ReadWrite.OwnedBy
/// and must own the app.
/// </summary>
internal sealed class GraphApplicationPasswords(AzureRestClient graph, ILogger logger)
{
    private static readonly string[] PasswordFields = ["id", "passwordCredentials"];

    // Retries and the network timeout are the pipeline's business; HttpClient's own 100 s limit would cut them short.
    private readonly HttpClient _http = new(new AzurePipelineHandler(graph)) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly ConcurrentDictionary<Uri, GraphServiceClient> _clients = new();

    /// <summary>Adds a secret that Entra ID itself stops accepting at <paramref name="endDateTime"/>.</summary>
    /// <remarks>Not idempotent: a retried call after a lost response can add a second secret. Both carry the lease's
    /// display name, and revocation removes every secret with that name.</remarks>
    public async Task<AddedApplicationPassword> AddAsync(
        AzureEndpoints endpoints, string applicationPath, string displayName, DateTimeOffset endDateTime, string leaseId, CancellationToken cancellationToken)
    {
        var operation = $"add a secret to {applicationPath}";
        var application = GraphApplicationAddress.Parse(applicationPath);
        var client = Client(endpoints);

        // Whole seconds in UTC, as Entra ID stores it.
        var end = new DateTimeOffset(endDateTime.UtcTicks - (endDateTime.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
        var body = new AddPasswordPostRequestBody { PasswordCredential = new PasswordCredential { DisplayName = displayName, EndDateTime = end } };
        var request = application.ObjectId is { } objectId
            ? client.Applications[objectId].AddPassword
            : client.Applications[application.AppId].AddPassword.WithUrl(application.ActionUrl(client, "addPassword"));
        PasswordCredential? added;
        try
        {
            added = await request.PostAsync(body, c => c.Options.Add(new AzureOperationOption(operation)), cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException ex)
        {
            throw Failure(ex, operation);
        }

        var password = new AddedApplicationPassword(
            added?.KeyId?.ToString("D") ?? throw new InvalidOperationException("Graph addPassword returned no keyId."),
            added.SecretText ?? throw new InvalidOperationException("Graph addPassword returned no secret."),
            added.EndDateTime ?? end);
        logger.PasswordAdded(password.KeyId, password.EndDateTime, leaseId);
        return password;
    }

    public async Task<IReadOnlyList<ApplicationPassword>> ListAsync(AzureEndpoints endpoints, string applicationPath, CancellationToken cancellationToken)
    {
        var operation = $"list the secrets of {applicationPath}";
        var application = GraphApplicationAddress.Parse(applicationPath);
        var client = Client(endpoints);
        Application? found;
        try
        {
            found = application.ObjectId is { } objectId
                ? await client.Applications[objectId].GetAsync(
                    c =>
                    {
                        c.QueryParameters.Select = PasswordFields;
                        c.Options.Add(new AzureOperationOption(operation));
                    },
                    cancellationToken).ConfigureAwait(false)
                : await client.ApplicationsWithAppId(application.AppId).GetAsync(
                    c =>
                    {
                        c.QueryParameters.Select = PasswordFields;
                        c.Options.Add(new AzureOperationOption(operation));
                    },
                    cancellationToken).ConfigureAwait(false);
        }
        catch (ODataError ex) when (ex.ResponseStatusCode == 404 && ex.Error?.Code == "Request_ResourceNotFound")
        {
            // The application is gone, and its secrets with it.
            return [];
        }
        catch (ApiException ex)
        {
            throw Failure(ex, operation);
        }

        return (found?.PasswordCredentials ?? [])
            .Select(p => new ApplicationPassword(p.KeyId?.ToString("D") ?? string.Empty, p.DisplayName, p.EndDateTime))
            .ToList();
    }

    /// <summary>Removes one secret. False when Graph no longer knows it.</summary>
    public async Task<bool> RemoveAsync(AzureEndpoints endpoints, string applicationPath, ApplicationPassword password, CancellationToken cancellationToken)
    {
        var operation = $"remove secret {password.KeyId} from {applicationPath}";
        if (!Guid.TryParse(password.KeyId, out var keyId))
        {
            // Graph's key ids are GUIDs; one that is not cannot be on the application.
            return false;
        }

        var application = GraphApplicationAddress.Parse(applicationPath);
        var client = Client(endpoints);
        var request = application.ObjectId is { } objectId
            ? client.Applications[objectId].RemovePassword
            : client.Applications[application.AppId].RemovePassword.WithUrl(application.ActionUrl(client, "removePassword"));
        try
        {
            await request.PostAsync(new RemovePasswordPostRequestBody { KeyId = keyId }, c => c.Options.Add(new AzureOperationOption(operation)), cancellationToken)
                .ConfigureAwait(false);
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
            return false;
        }
        catch (ApiException ex)
        {
            throw Failure(ex, operation);
        }

        logger.PasswordRemoved(password.KeyId, password.DisplayName ?? "-");
        return true;
    }

    private GraphServiceClient Client(AzureEndpoints endpoints) =>
        _clients.GetOrAdd(endpoints.Graph, root => new GraphServiceClient(_http, baseUrl: new Uri(root, "v1.0").AbsoluteUri));

    /// <summary>The same exception an ARM call's refusal gives: the operation, status and Graph's error code, never a body.</summary>
    private static Exception Failure(ApiException error, string operation) =>
        AzureResponse.Failure(error.ResponseStatusCode, (error as ODataError)?.Error?.Code, operation);
}
